"""Adam/AdamW that keep float32 "master" moments for float16 / bfloat16 parameters: a fair
mixed-precision idea, but not torch.optim.Adam's behaviour, which the kata copies: torch
keeps m and v in the parameter's dtype (and the contract says so), so the optimizer state
doubles in size and its state_dict no longer loads into torch's optimizer as is.

Fix: torch.zeros_like(p) for m and v, and update them in the parameter's dtype.
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
                    state["exp_avg"] = torch.zeros_like(p, dtype=torch.float32 if p.dtype in (torch.float16, torch.bfloat16) else p.dtype)
                    state["exp_avg_sq"] = torch.zeros_like(p, dtype=torch.float32 if p.dtype in (torch.float16, torch.bfloat16) else p.dtype)
                state["step"] += 1
                t = state["step"]
                g = p.grad
                if wd != 0:
                    if self.decoupled:
                        p.mul_(1 - lr * wd)
                    else:
                        g = g + wd * p
                g32 = g.to(state["exp_avg"].dtype)
                m = state["exp_avg"].mul_(b1).add_(g32, alpha=1 - b1)
                v = state["exp_avg_sq"].mul_(b2).addcmul_(g32, g32, value=1 - b2)
                update = (m / (1 - b1 ** t)) / ((v / (1 - b2 ** t)).sqrt() + eps)
                p.add_(update.to(p.dtype), alpha=-lr)
        return loss


class AdamW(Adam):
    decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
