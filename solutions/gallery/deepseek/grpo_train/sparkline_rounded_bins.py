"""The bin by rounding, round(x * 7), instead of cutting [min, max] into 8 equal bins: the
ends and the middle agree (0, 0.5, 1 -> "▁▅█"), but in between values jump a block early
(0.1 -> "▂", not "▁"; the bottom and top blocks are half as wide as the others).

Fix: index = min(int((v - min) / (max - min) * 8), 7).
"""

import math

from solutions.deepseek.grpo_train import *  # noqa: F401,F403 (the rest is correct)


def sparkline(values) -> str:
    values = [float(v) for v in values]
    if not all(math.isfinite(v) for v in values):
        raise ValueError("sparkline: every value must be finite")
    if not values:
        return ""
    lo, hi = min(values), max(values)
    if hi == lo:
        return BLOCKS[0] * len(values)
    return "".join(BLOCKS[round((v - lo) / (hi - lo) * 7)] for v in values)
