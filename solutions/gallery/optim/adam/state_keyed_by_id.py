"""Adam/AdamW that keep t, m and v under self.state[id(p)] instead of self.state[p]: training
is right and a state_dict round trip into the same parameters even works, but state_dict()
can only map tensor keys to positions, so the checkpoint holds raw ids. Loaded into a new
model (resuming a run), no parameter finds its moments: t restarts at 1 and m, v at zeros.

Fix: self.state[p] (parameters hash by identity; the Optimizer base class maps them to
indices when saving and back when loading).
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
                state = self.state[id(p)]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p)
                    state["exp_avg_sq"] = torch.zeros_like(p)
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
