"""cross_entropy that special-cases a batch whose targets are all ignore_index with a fresh
tensor in the logits' dtype and device: logits.new_tensor(float("nan")) for "mean" and
logits.new_tensor(0.0) for "sum". The value, dtype and device are right, but the loss is
cut from the logits, so loss.backward() on a fully padded batch fails ("does not require
grad") where F.cross_entropy's loss backpropagates.

Fix: no special case: loss.sum() / keep.sum() is already NaN for a zero count, and the sum
of nothing is 0, both computed from the logits.
"""

import torch

from solutions.losses import cross_entropy as _ref
from solutions.losses.cross_entropy import *  # noqa: F401,F403 (the rest is correct)


def cross_entropy(logits, target, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    if reduction in ("mean", "sum") and not bool((target != ignore_index).any()):
        return logits.new_tensor(float("nan") if reduction == "mean" else 0.0)  # wrong: no graph
    return _ref.cross_entropy(logits, target, ignore_index, reduction, label_smoothing)
