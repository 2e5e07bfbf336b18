"""cosine_schedule computed with torch.cos on a tensor and returned as a 0-d tensor instead
of a float: it compares equal, but storing it in param_group["lr"] puts a tensor where
optimizers and schedulers expect a number (and logging prints tensor(...)).

Fix: math.cos, or float(...) at the end.
"""

import math

import torch

from solutions.optim.adam import *  # noqa: F401,F403 (the rest is correct)


def cosine_schedule(step, max_lr, min_lr, warmup, total):
    if step < warmup:
        return torch.tensor(max_lr * step / warmup, dtype=torch.float64)
    if step > total:
        return torch.tensor(min_lr, dtype=torch.float64)
    progress = torch.tensor((step - warmup) / (total - warmup), dtype=torch.float64)
    return min_lr + 0.5 * (max_lr - min_lr) * (1 + torch.cos(math.pi * progress))
