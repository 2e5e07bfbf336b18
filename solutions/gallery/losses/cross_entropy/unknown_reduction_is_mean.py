"""cross_entropy that treats any reduction other than "none" and "sum" as "mean": a typo such
as reduction="average" or "Sum" silently gives the mean instead of an error.

Fix: accept exactly "mean", "sum" and "none"; raise ValueError naming anything else.
"""

from solutions.losses import cross_entropy as _ref
from solutions.losses.cross_entropy import *  # noqa: F401,F403 (the rest is correct)


def cross_entropy(logits, target, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    if reduction not in ("none", "sum"):
        reduction = "mean"
    return _ref.cross_entropy(logits, target, ignore_index, reduction, label_smoothing)
