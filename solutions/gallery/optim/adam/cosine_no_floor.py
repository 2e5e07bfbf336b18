"""No floor after `total`: the cosine keeps going past π and the learning rate climbs back up
towards max_lr. After total the schedule must stay at min_lr."""

import math

from solutions.optim.adam import *  # noqa: F401,F403 (the rest is correct)


def cosine_schedule(step: int, max_lr: float, min_lr: float, warmup: int, total: int) -> float:
    if step < warmup:
        return max_lr * step / warmup
    progress = (step - warmup) / (total - warmup)
    return min_lr + 0.5 * (max_lr - min_lr) * (1.0 + math.cos(math.pi * progress))
