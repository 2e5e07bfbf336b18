"""Applies momentum only when momentum > 0: a group that sets a negative momentum (torch
checks only the constructor's options) gets plain SGD; the rule says "if momentum != 0".

Fix: test momentum != 0.
"""


from typing import Any, Callable, Iterable

import torch


class SGD(torch.optim.Optimizer):
    """Stochastic gradient descent with momentum, dampening, weight decay and Nesterov."""

    def __init__(self, params: Iterable[Any], lr: float, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False) -> None:
        """Store the defaults and the param groups (super().__init__(params, defaults))."""
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns closure() or None."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, momentum = group["lr"], group["momentum"]
            dampening, weight_decay = group["dampening"], group["weight_decay"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                if weight_decay != 0:
                    g = g + weight_decay * p
                if momentum > 0:
                    state = self.state[p]
                    if "momentum_buffer" not in state:
                        buf = g.clone()  # the first step starts from the gradient itself
                    else:
                        buf = momentum * state["momentum_buffer"] + (1 - dampening) * g
                    state["momentum_buffer"] = buf
                    g = g + momentum * buf if group["nesterov"] else buf
                p.add_(g, alpha=-lr)
        return loss
