"""cosine_schedule returning min_lr as given after total: called with min_lr=0 (an int) it
returns the int 0 there, not a float as promised (every other branch divides or adds floats).

Fix: return float(min_lr)."""

import math

from solutions.optim.adam import *  # noqa: F401,F403 (the rest is correct)


def cosine_schedule(step: int, max_lr: float, min_lr: float, warmup: int, total: int) -> float:
    if step < warmup:
        return max_lr * step / warmup
    if step > total:
        return min_lr
    progress = (step - warmup) / (total - warmup)
    return min_lr + 0.5 * (max_lr - min_lr) * (1.0 + math.cos(math.pi * progress))
