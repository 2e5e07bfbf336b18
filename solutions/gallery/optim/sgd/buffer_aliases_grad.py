"""SGD whose first momentum buffer is g itself (no copy) and is then updated in place
(buf.mul_(momentum).add_(g)): with weight_decay = 0, g IS p.grad, so the buffer aliases the
gradient. With zero_grad(set_to_none=False) the next backward writes into that same tensor
and the in-place buffer update corrupts p.grad (and zero_grad wipes the buffer).

Fix: buf = g.clone() (or torch.clone(g).detach()) on the first step.
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
                g = p.grad
                if group["weight_decay"] != 0:
                    g = g + group["weight_decay"] * p
                if group["momentum"] != 0:
                    state = self.state[p]
                    if "momentum_buffer" not in state:
                        buf = state["momentum_buffer"] = g  # aliases p.grad when weight_decay = 0
                    else:
                        buf = state["momentum_buffer"]
                        buf.mul_(group["momentum"]).add_(g, alpha=1 - group["dampening"])
                    g = g + group["momentum"] * buf if group["nesterov"] else buf
                p.add_(g, alpha=-group["lr"])
        return loss
