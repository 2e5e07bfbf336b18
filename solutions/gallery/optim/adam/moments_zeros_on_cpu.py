"""Adam/AdamW that create m and v with torch.zeros(p.shape, dtype=p.dtype): shape and dtype
are right, but the zeros live on the default device (the CPU), so for parameters on a GPU
the first in-place moment update raises a device mismatch.

Fix: torch.zeros_like(p) (shape, dtype and device of the parameter).
"""

import torch

from solutions.optim.adam import *  # noqa: F401,F403 (the rest is correct)
from solutions.optim.adam import Adam as _CorrectAdam


class Adam(_CorrectAdam):
    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, eps, wd = group["lr"], group["eps"], group["weight_decay"]
            b1, b2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros(p.shape, dtype=p.dtype)
                    state["exp_avg_sq"] = torch.zeros(p.shape, dtype=p.dtype)
                state["step"] += 1
                t = state["step"]
                g = p.grad
                if wd != 0:
                    if self.decoupled:
                        p.mul_(1 - lr * wd)
                    else:
                        g = g + wd * p
                m = state["exp_avg"].mul_(b1).add_(g, alpha=1 - b1)
                v = state["exp_avg_sq"].mul_(b2).addcmul_(g, g, value=1 - b2)
                p.addcdiv_(m / (1 - b1 ** t), (v / (1 - b2 ** t)).sqrt().add_(eps), value=-lr)
        return loss


class AdamW(Adam):
    decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
