"""SGD that decides "first step" with one global step counter instead of per parameter: a
parameter that gets its first gradient later (a layer unfrozen at step 3, an embedding row
seen late) starts its momentum buffer from zeros, so its first update is damped by
(1 - dampening) where torch uses the undamped gradient.

Fix: a parameter's first step is when self.state[p] has no buffer yet.
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
        self.steps_taken = getattr(self, "steps_taken", 0) + 1
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad + group["weight_decay"] * p
                if group["momentum"] != 0:
                    state = self.state[p]
                    if self.steps_taken == 1:
                        buf = g.clone()
                    else:
                        old = state.get("momentum_buffer", torch.zeros_like(p))
                        buf = group["momentum"] * old + (1 - group["dampening"]) * g
                    state["momentum_buffer"] = buf
                    g = g + group["momentum"] * buf if group["nesterov"] else buf
                p.add_(g, alpha=-group["lr"])
        return loss
