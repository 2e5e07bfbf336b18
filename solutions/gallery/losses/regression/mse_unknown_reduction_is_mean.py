"""mse_loss that treats every reduction other than "sum" and "none" as "mean": a typo such
as reduction="avg" silently averages instead of raising.

Fix: accept exactly "mean", "sum" and "none"; raise ValueError naming anything else.
"""

from solutions.losses.regression import *  # noqa: F401,F403 (the rest is correct)


def mse_loss(pred, target, reduction="mean"):
    sq = (pred - target) ** 2
    if reduction == "none":
        return sq
    if reduction == "sum":
        return sq.sum()
    return sq.mean()
