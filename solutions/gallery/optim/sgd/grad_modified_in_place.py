"""Weight decay added to p.grad in place (p.grad.add_(p, alpha=weight_decay)): the values of
this step are right, but the gradient the caller sees is corrupted — gradient accumulation,
clipping or logging after step() all read the wrong numbers. Build g as a new tensor:
g = p.grad + weight_decay·p."""

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
                g = p.grad.add_(p, alpha=weight_decay) if weight_decay else p.grad
                if momentum != 0:
                    state = self.state[p]
                    old = state.get("momentum_buffer")
                    buf = g.clone() if old is None else momentum * old + (1 - dampening) * g
                    state["momentum_buffer"] = buf
                    g = g + momentum * buf if group["nesterov"] else buf
                p.add_(g, alpha=-lr)
        return None
