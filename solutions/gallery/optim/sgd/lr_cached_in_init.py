"""Options copied in __init__ (self.lr = lr ...) and used in step instead of the param
group's: per-group options are ignored and a learning-rate scheduler, which writes
group["lr"], has no effect. Read every option from `group` inside step."""

from typing import Any, Callable, Iterable

import torch

from solutions.optim.sgd import *  # noqa: F401,F403 (the rest is correct)


class SGD(torch.optim.Optimizer):
    def __init__(self, params: Iterable[Any], lr: float, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False) -> None:
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov))
        self.lr, self.momentum, self.dampening = lr, momentum, dampening
        self.weight_decay, self.nesterov = weight_decay, nesterov

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad + self.weight_decay * p
                if self.momentum != 0:
                    state = self.state[p]
                    old = state.get("momentum_buffer")
                    buf = g.clone() if old is None else self.momentum * old + (1 - self.dampening) * g
                    state["momentum_buffer"] = buf
                    g = g + self.momentum * buf if self.nesterov else buf
                p.add_(g, alpha=-self.lr)
        return None
