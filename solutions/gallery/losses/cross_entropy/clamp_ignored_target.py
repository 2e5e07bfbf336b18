"""cross_entropy that makes the ignored targets gatherable with target.clamp(min=0): that
works for a negative ignore_index (-100, -1) only. A pad id at or past the class count (C,
the id after the vocabulary, or any larger one) stays out of range, and gather fails on a
valid input.

Fix: replace the ignored targets by a real class before the lookup,
torch.where(target != ignore_index, target, 0), and mask their loss to 0 afterwards.
"""

import torch

from solutions.losses.cross_entropy import *  # noqa: F401,F403 (the rest is correct)
from solutions.losses.cross_entropy import _log_softmax


def cross_entropy(logits, target, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    log_p = _log_softmax(logits)
    keep = target != ignore_index
    loss = -log_p.gather(-1, target.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    if label_smoothing > 0:
        loss = (1 - label_smoothing) * loss - label_smoothing * log_p.mean(-1)
    loss = loss * keep
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.sum() / keep.sum()
    raise ValueError(f"unknown reduction {reduction!r}")
