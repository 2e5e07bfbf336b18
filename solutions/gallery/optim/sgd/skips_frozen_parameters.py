"""Skips a parameter whose requires_grad is False even though its .grad is set: torch (and
the contract) skip only p.grad is None, so a frozen layer that still holds a gradient keeps
being updated and decayed by torch.optim.SGD, and this one drifts from it.

Fix: `if p.grad is None: continue`, nothing more.
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
                if p.grad is None or not p.requires_grad:
                    continue
                g = p.grad + group["weight_decay"] * p
                if group["momentum"] != 0:
                    state = self.state[p]
                    old = state.get("momentum_buffer")
                    buf = g.clone() if old is None else group["momentum"] * old + (1 - group["dampening"]) * g
                    state["momentum_buffer"] = buf
                    g = g + group["momentum"] * buf if group["nesterov"] else buf
                p.add_(g, alpha=-group["lr"])
        return loss
