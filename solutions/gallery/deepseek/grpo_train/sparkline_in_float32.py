"""sparkline reads the values into torch.tensor(list(values)), float32 by default, and bins them
there: float32 keeps 24 bits, so nearby large values collapse into one (100000000, 100000001,
100000002 are all 1e8 in float32: "▁▁▁", not "▁▅█"). The contract bins the real numbers it is
given (Python floats are float64, ints exact).

Fix: values = [float(v) for v in values] and Python arithmetic (or a float64 tensor).
"""

import torch

from solutions.deepseek.grpo_train import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.grpo_train import BLOCKS


def sparkline(values) -> str:
    t = torch.tensor([float(v) for v in values])  # float32: the default dtype
    if not bool(torch.isfinite(t).all()):
        raise ValueError("sparkline: every value must be finite")
    if t.numel() == 0:
        return ""
    lo, hi = t.min(), t.max()
    if bool(hi == lo):
        return BLOCKS[0] * t.numel()
    idx = ((t - lo) / (hi - lo) * 8).long().clamp_max(7)
    return "".join(BLOCKS[int(i)] for i in idx)
