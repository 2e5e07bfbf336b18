"""Adam/AdamW that call the closure inside step's @torch.no_grad() without re-enabling
gradients: the closure's loss.backward() fails, so closure-driven loops cannot use them.

Fix: with torch.enable_grad(): loss = closure().
"""

import torch

from solutions.optim import adam as _ref
from solutions.optim.adam import *  # noqa: F401,F403 (the rest is correct)


class Adam(_ref.Adam):
    @torch.no_grad()
    def step(self, closure=None):
        loss = closure() if closure is not None else None
        super().step()
        return loss


class AdamW(Adam):
    decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
