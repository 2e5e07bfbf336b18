"""Reads each option as group.get(name) or the constructor's default: a group that sets
momentum, weight_decay, dampening or lr to 0 (or nesterov to False) on purpose, say a
no-decay group for biases and norms, silently gets the non-zero default back.

Fix: read group[name]; Optimizer.__init__ has already filled in the options a group omits.
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
            opt = {k: group.get(k) or self.defaults[k] for k in self.defaults}
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad + opt["weight_decay"] * p
                if opt["momentum"] != 0:
                    state = self.state[p]
                    old = state.get("momentum_buffer")
                    buf = g.clone() if old is None else opt["momentum"] * old + (1 - opt["dampening"]) * g
                    state["momentum_buffer"] = buf
                    g = g + opt["momentum"] * buf if opt["nesterov"] else buf
                p.add_(g, alpha=-opt["lr"])
        return loss
