"""The finiteness check placed after the all-equal shortcut: [inf, inf] has max == min and
comes back as "▁▁" instead of a ValueError (and [nan] too would pass if the shortcut tested
max - min == 0 without looking at the values). A NaN or an infinity is always an error.

Fix: reject non-finite values first, then handle the empty and all-equal cases.
"""

import math

from solutions.deepseek.grpo_train import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.grpo_train import BLOCKS


def sparkline(values) -> str:
    values = [float(v) for v in values]
    if not values:
        return ""
    lo, hi = min(values), max(values)
    if hi == lo:
        return BLOCKS[0] * len(values)
    if not all(math.isfinite(v) for v in values):  # wrong: too late for all-equal infinities
        raise ValueError("sparkline: every value must be finite")
    return "".join(BLOCKS[min(int((v - lo) / (hi - lo) * 8), 7)] for v in values)
