"""The bin index int((v - min) / (max - min) * 8) without the cap at 7: the maximum lands in
bin 8, past the last block (an IndexError, or a wrap-around with modulo).

Fix: min(int(...), 7): the maximum is in the top bin.
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
    return "".join(BLOCKS[int((v - lo) / (hi - lo) * 8)] for v in values)
