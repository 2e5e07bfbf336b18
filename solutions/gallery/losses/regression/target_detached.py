"""The target treated as a constant: bce_loss and bce_with_logits call target.detach() (or
build the target's terms under no_grad), so no gradient reaches a soft target that comes from
a model (distillation, a learned teacher), where torch gives -(log p - log(1 - p)) / n.

Fix: use the target as given; autograd differentiates w.r.t. it like any other input."""

from solutions.losses.regression import *  # noqa: F401,F403 (the rest is correct)
from solutions.losses.regression import bce_loss as _bce_loss, bce_with_logits as _bce_with_logits


def bce_loss(probs, target):
    return _bce_loss(probs, target.detach())


def bce_with_logits(logits, target, pos_weight=None):
    return _bce_with_logits(logits, target.detach(), pos_weight)
