"""Momentum buffer initialised to zeros: b = zeros, then b = momentum·b + (1 − dampening)·g on
every step, the first included. The first step then moves by (1 − dampening)·g instead of g.
Without dampening the two agree, which is why this hides until dampening > 0. torch starts
the buffer as a copy of the first (weight-decayed) gradient: `b = g.clone()` on the first
step, the damped update only afterwards."""

from typing import Any, Callable

import torch

from solutions.optim.sgd import *  # noqa: F401,F403 (the rest is correct)
from solutions.optim.sgd import SGD as _CorrectSGD


class SGD(_CorrectSGD):
    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        for group in self.param_groups:
            lr, momentum = group["lr"], group["momentum"]
            dampening, weight_decay = group["dampening"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad + weight_decay * p
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer", torch.zeros_like(p))
                    buf = momentum * buf + (1 - dampening) * g
                    state["momentum_buffer"] = buf
                    g = g + momentum * buf if group["nesterov"] else buf
                p.add_(g, alpha=-lr)
        return None
