"""No guard for a flat curve: all values equal make max - min = 0 and the bin index a
ZeroDivisionError (a reward stuck at 0 is exactly the curve a learner needs to see).

Fix: all equal -> "▁" for each value.
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
    return "".join(BLOCKS[min(int((v - lo) / (hi - lo) * 8), 7)] for v in values)
