"""eps inside the square root: p -= lr·m̂/√(v̂ + eps). With eps = 1e-8 this is a floor of 1e-4
on the denominator instead of 1e-8, so when gradients are small (√v̂ ~ 1e-6) steps shrink
100×. torch (and the Adam paper) add eps after the root: √v̂ + eps."""

from typing import Any, Callable

import torch

from solutions.optim.adam import *  # noqa: F401,F403 (the rest is correct)
from solutions.optim.adam import Adam as _CorrectAdam


class Adam(_CorrectAdam):
    @torch.no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
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
                p.addcdiv_(m_hat, (v_hat + eps).sqrt(), value=-lr)
        return None


class AdamW(Adam):
    decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
