"""Decides "first step" by the buffer being all zeros (a buffer made with zeros_like up front,
then b = g "while it is still empty"): a parameter whose first gradients are exactly zero
(zero_grad(set_to_none=False) on a layer the loss does not reach yet) keeps restarting its
buffer, so its first real gradient is taken undamped where torch damps it by (1 - dampening).

Fix: a parameter's first step is when self.state[p] has no buffer yet, whatever its values.
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
                    old = state.setdefault("momentum_buffer", torch.zeros_like(p))
                    if not old.any():
                        buf = g.clone()
                    else:
                        buf = group["momentum"] * old + (1 - group["dampening"]) * g
                    state["momentum_buffer"] = buf
                    g = g + group["momentum"] * buf if group["nesterov"] else buf
                p.add_(g, alpha=-group["lr"])
        return loss
