"""min and max taken on values before turning them into a list: a list or a tensor can be read
again, but a generator (sparkline(s.reward for s in stats)) is used up by min and max, and
the list built after them is empty: the curve comes back as "".

Fix: values = [float(v) for v in values] first, then min and max of that list.
"""

import math

from solutions.deepseek.grpo_train import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.grpo_train import BLOCKS


def sparkline(values) -> str:
    lo, hi = min(values, default=0.0), max(values, default=0.0)  # wrong: uses up a generator
    values = [float(v) for v in values]
    if not all(math.isfinite(v) for v in values):
        raise ValueError("sparkline: every value must be finite")
    if not values:
        return ""
    if hi == lo:
        return BLOCKS[0] * len(values)
    return "".join(BLOCKS[min(int((v - lo) / (hi - lo) * 8), 7)] for v in values)
