"""cross_entropy that normalises the reduction with reduction.lower() (and reads None as
"none") to be forgiving: "Sum", "MEAN" or None silently pick a reduction where the contract
(like F.cross_entropy) accepts exactly "mean", "sum" and "none" and raises ValueError for
anything else, so a misspelt config value goes unnoticed.

Fix: compare reduction with the three names as given; raise ValueError naming anything else.
"""

from solutions.losses import cross_entropy as _ref
from solutions.losses.cross_entropy import *  # noqa: F401,F403 (the rest is correct)


def cross_entropy(logits, target, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    reduction = "none" if reduction is None else reduction.lower()
    return _ref.cross_entropy(logits, target, ignore_index, reduction, label_smoothing)
