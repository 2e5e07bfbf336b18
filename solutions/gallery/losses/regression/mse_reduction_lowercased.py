"""mse_loss that normalises the reduction with reduction.lower() (and reads None as "none")
to be forgiving: "Sum", "MEAN" or None silently pick a reduction where the contract (like
F.mse_loss) accepts exactly "mean", "sum" and "none" and raises ValueError for anything else,
so a misspelt config value goes unnoticed.

Fix: compare reduction with the three names as given; raise ValueError naming anything else.
"""

from solutions.losses import regression as _ref
from solutions.losses.regression import *  # noqa: F401,F403 (the rest is correct)


def mse_loss(pred, target, reduction="mean"):
    reduction = "none" if reduction is None else reduction.lower()
    return _ref.mse_loss(pred, target, reduction)
