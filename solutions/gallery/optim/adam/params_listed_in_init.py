"""Takes a list of (group, parameters) pairs once in __init__ and walks it in step: right
until a group is added later with add_param_group (a layer unfrozen for fine-tuning), whose
parameters this optimizer then never updates.

Fix: walk self.param_groups inside step, every time.
"""

import torch

from solutions.optim.adam import *  # noqa: F401,F403 (the rest is correct)
from solutions.optim.adam import Adam as _Correct


class Adam(_Correct):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pairs = [(group, list(group["params"])) for group in self.param_groups]

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group, params in self._pairs:
            lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
            beta1, beta2 = group["betas"]
            for p in params:
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
                p.addcdiv_(m / (1 - beta1 ** t), (v / (1 - beta2 ** t)).sqrt().add_(eps), value=-lr)
        return loss


class AdamW(Adam):
    decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
