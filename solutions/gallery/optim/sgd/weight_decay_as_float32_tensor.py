"""Keeps weight_decay as torch.tensor(weight_decay), a float32 scalar: in a float64 model
0.1 becomes 0.10000000149, every update is off by ~1e-9 relative (below a float64
trajectory's rtol=1e-7, not below 1e-12).

Fix: use the option as the Python float it is.
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
                    g = g + torch.tensor(weight_decay) * p
                if momentum != 0:
                    state = self.state[p]
                    if "momentum_buffer" not in state:
                        buf = g.clone()  # the first step starts from the gradient itself
                    else:
                        buf = momentum * state["momentum_buffer"] + (1 - dampening) * g
                    state["momentum_buffer"] = buf
                    g = g + momentum * buf if group["nesterov"] else buf
                p.add_(g, alpha=-lr)
        return loss
