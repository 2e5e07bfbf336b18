"""Adam / AdamW adding eps as a float32 torch.tensor(eps) to the denominator: in a float64
run eps=0.1 becomes 0.10000000149, which moves p by ~1e-10 per step where the denominator is
mostly eps. Use the group's eps as the Python float it is."""

import math
from typing import Any, Callable, Iterable

import torch


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
            lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
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
                p.addcdiv_(m_hat, v_hat.sqrt() + torch.tensor(eps), value=-lr)
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay, like torch.optim.AdamW."""

    decoupled = True

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2) -> None:
        """Store the defaults and the param groups (super().__init__(params, defaults))."""
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)


def clip_grad_norm_(parameters: torch.Tensor | Iterable[torch.Tensor], max_norm: float,
                    norm_type: float = 2.0) -> torch.Tensor:
    """Scale all gradients in place so their total norm is at most max_norm; returns the norm."""
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return torch.tensor(0.0)
    norms = torch.stack([torch.linalg.vector_norm(g, norm_type) for g in grads])
    total = torch.linalg.vector_norm(norms, norm_type)
    clip_coef = (max_norm / (total + 1e-6)).clamp(max=1.0)
    for g in grads:
        g.mul_(clip_coef.to(g.dtype))
    return total


def cosine_schedule(step: int, max_lr: float, min_lr: float, warmup: int, total: int) -> float:
    """Learning rate at `step`: linear warmup from 0 to max_lr, then cosine decay to min_lr."""
    if step < warmup:
        return max_lr * step / warmup
    if step > total:
        return float(min_lr)  # -> float, also for an int min_lr such as 0
    progress = (step - warmup) / (total - warmup)
    return min_lr + 0.5 * (max_lr - min_lr) * (1.0 + math.cos(math.pi * progress))
