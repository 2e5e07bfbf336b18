"""softmax / log_softmax that special-case a 0-d x with torch.tensor(1.0) and
torch.tensor(0.0): those are float32 on the CPU, so a float64 (or GPU) scalar gets a result
of another dtype (and device), and it is cut off from x's graph. A 0-d x is one slice; the
general code already gives 1 and 0 for it.

Fix: drop the special case (amax / sum over dim work on a 0-d tensor), or return
torch.ones_like(x) / torch.zeros_like(x).
"""

import torch

from solutions.losses import softmax as _ref
from solutions.losses.softmax import *  # noqa: F401,F403 (the rest is correct)


def softmax(x, dim=-1):
    if x.dim() == 0:
        return torch.tensor(1.0)
    return _ref.softmax(x, dim)


def log_softmax(x, dim=-1):
    if x.dim() == 0:
        return torch.tensor(0.0)
    return _ref.log_softmax(x, dim)
