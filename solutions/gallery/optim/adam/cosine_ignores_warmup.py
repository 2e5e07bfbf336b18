"""The cosine measured from step 0 over `total` steps: progress = step / total instead of
(step − warmup) / (total − warmup). The decay then starts below max_lr right after warmup (a
jump down at step == warmup) and the midpoint comes too early. The cosine must run from
step = warmup (max_lr) to step = total (min_lr)."""

import math

from solutions.optim.adam import *  # noqa: F401,F403 (the rest is correct)


def cosine_schedule(step: int, max_lr: float, min_lr: float, warmup: int, total: int) -> float:
    if step < warmup:
        return max_lr * step / warmup
    if step > total:
        return min_lr
    return min_lr + 0.5 * (max_lr - min_lr) * (1.0 + math.cos(math.pi * step / total))
