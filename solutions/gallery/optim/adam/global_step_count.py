"""Adam/AdamW that count t once per optimizer step (self.t += 1) instead of per parameter: a
parameter that gets its first gradient at step 4 (an unfrozen layer, a rarely used embedding
row) is bias-corrected with t = 4, so its first update is about 1 - 0.9^4 ≈ 34% of
the size torch gives it.

Fix: keep t in self.state[p] and increment it only when that parameter is updated.
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
        self.t = getattr(self, "t", 0) + 1
        for group in self.param_groups:
            lr, eps, wd = group["lr"], group["eps"], group["weight_decay"]
            b1, b2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["exp_avg"] = torch.zeros_like(p)
                    state["exp_avg_sq"] = torch.zeros_like(p)
                state["step"] = self.t
                g = p.grad
                if wd != 0:
                    if self.decoupled:
                        p.mul_(1 - lr * wd)
                    else:
                        g = g + wd * p
                m = state["exp_avg"].mul_(b1).add_(g, alpha=1 - b1)
                v = state["exp_avg_sq"].mul_(b2).addcmul_(g, g, value=1 - b2)
                p.addcdiv_(m / (1 - b1 ** self.t), (v / (1 - b2 ** self.t)).sqrt().add_(eps), value=-lr)
        return loss


class AdamW(Adam):
    decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
