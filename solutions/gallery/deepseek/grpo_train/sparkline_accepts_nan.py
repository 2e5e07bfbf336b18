"""NaN and infinities not rejected: max/min of a list with NaN depend on its position and
int(nan) raises a ValueError with no useful message, or an inf makes every other value the
lowest block; the contract rejects them up front.

Fix: raise ValueError when a value is not finite.
"""

from solutions.deepseek.grpo_train import *  # noqa: F401,F403 (the rest is correct)


def sparkline(values) -> str:
    values = [float(v) for v in values]
    values = [v for v in values if v == v and abs(v) != float('inf')]  # wrong: drops them
    if not values:
        return ""
    lo, hi = min(values), max(values)
    if hi == lo:
        return BLOCKS[0] * len(values)
    return "".join(BLOCKS[min(int((v - lo) / (hi - lo) * 8), 7)] for v in values)
