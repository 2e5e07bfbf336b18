"""SGD that writes p.data = p - lr * g instead of updating in place: values are right, but the
parameter gets new storage every step, so views of it, tied weights sharing its storage and
anything holding its old tensor silently stop following the updates.

Fix: p.add_(g, alpha=-lr).
"""

import torch

from solutions.optim.sgd import *  # noqa: F401,F403 (the rest is correct)
from solutions.optim.sgd import SGD as _Correct


class SGD(_Correct):
    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad + group["weight_decay"] * p
                if group["momentum"] != 0:
                    state = self.state[p]
                    if "momentum_buffer" not in state:
                        buf = g.clone()
                    else:
                        buf = group["momentum"] * state["momentum_buffer"] + (1 - group["dampening"]) * g
                    state["momentum_buffer"] = buf
                    g = g + group["momentum"] * buf if group["nesterov"] else buf
                p.data = p - group["lr"] * g
        return loss
