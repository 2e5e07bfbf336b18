"""Takes a flat list of (parameter, group) pairs once in __init__ and walks it in step: right
until a group is added later with add_param_group (a layer unfrozen for fine-tuning), whose
parameters this optimizer then never updates.

Fix: walk self.param_groups inside step, every time.
"""

import torch

from solutions.optim.sgd import *  # noqa: F401,F403 (the rest is correct)
from solutions.optim.sgd import SGD as _Correct


class SGD(_Correct):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pairs = [(p, group) for group in self.param_groups for p in group["params"]]

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for p, group in self._pairs:
            if p.grad is None:
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
