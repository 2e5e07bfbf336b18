"""Reads a group's weight decay as `group["weight_decay"] or self.defaults["weight_decay"]`:
a no-decay group (weight_decay=0.0 for biases and norms, next to AdamW's default 1e-2) is
decayed after all. Read group["weight_decay"]; Optimizer.__init__ fills in omitted options."""

from typing import Any, Callable, Iterable

import torch

from solutions.optim.adam import *  # noqa: F401,F403 (the rest is correct)


class Adam(torch.optim.Optimizer):
    """Adam with L2 weight decay folded into the gradient, like torch.optim.Adam."""

    decoupled = False  # AdamW sets this: decay the parameter instead of the gradient

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        """Store the defaults and the param groups (super().__init__(params, defaults))."""
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One Adam update of every parameter that has a gradient; returns closure() or None."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, eps = group["lr"], group["eps"]
            weight_decay = group["weight_decay"] or self.defaults["weight_decay"]
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p)
                    state["exp_avg_sq"] = torch.zeros_like(p)
                state["step"] += 1
                t = state["step"]
                g = p.grad
                if weight_decay != 0:
                    if self.decoupled:
                        p.mul_(1 - lr * weight_decay)
                    else:
                        g = g + weight_decay * p
                m = state["exp_avg"].mul_(beta1).add_(g, alpha=1 - beta1)
                v = state["exp_avg_sq"].mul_(beta2).addcmul_(g, g, value=1 - beta2)
                m_hat = m / (1 - beta1 ** t)
                v_hat = v / (1 - beta2 ** t)
                p.addcdiv_(m_hat, v_hat.sqrt().add_(eps), value=-lr)
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay, like torch.optim.AdamW."""

    decoupled = True

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2) -> None:
        """Store the defaults and the param groups (super().__init__(params, defaults))."""
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
