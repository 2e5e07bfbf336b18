"""cross_entropy whose "mean" divides by keep.sum().clamp(min=1) to "avoid" 0 / 0: a batch
whose targets are all ignore_index reports a loss of 0 instead of NaN, unlike F.cross_entropy
and the contract (a silent 0 hides a batch that was entirely padding).

Fix: divide the sum by the plain count of non-ignored targets.
"""

import torch

from solutions.losses import cross_entropy as _ref
from solutions.losses.cross_entropy import *  # noqa: F401,F403 (the rest is correct)


def cross_entropy(logits, target, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    if reduction != "mean":
        return _ref.cross_entropy(logits, target, ignore_index, reduction, label_smoothing)
    total = _ref.cross_entropy(logits, target, ignore_index, "sum", label_smoothing)
    return total / (target != ignore_index).sum().clamp(min=1)
