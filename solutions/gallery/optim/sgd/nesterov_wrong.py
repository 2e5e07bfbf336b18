"""Nesterov look-ahead with the previous buffer: g + momentum·b_old, computed before the
buffer is updated. On the first step b_old does not exist yet (so the look-ahead is lost)
and afterwards the step lags one gradient behind. torch first updates
b = momentum·b + (1 − dampening)·g and then steps along g + momentum·b with that NEW b."""

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
                    old = state.get("momentum_buffer")
                    buf = g.clone() if old is None else momentum * old + (1 - dampening) * g
                    state["momentum_buffer"] = buf
                    if group["nesterov"]:
                        g = g if old is None else g + momentum * old
                    else:
                        g = buf
                p.add_(g, alpha=-lr)
        return None
