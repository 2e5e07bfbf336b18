"""The range cut into 7 steps (int(x * 7)) instead of 8 equal bins: only the maximum reaches
the top block, and the middle values sit one block low (0.5 -> "▄", not "▅").

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
    return "".join(BLOCKS[int((v - lo) / (hi - lo) * 7)] for v in values)
