"""cross_entropy that decides which positions count with target >= 0 instead of
target != ignore_index: that works for the default -100 only; with a real class id as
ignore_index (0, or a pad id such as 3) the padding positions are counted as class targets.

Fix: keep = target != ignore_index.
"""

import torch

from solutions.losses.cross_entropy import *  # noqa: F401,F403 (the rest is correct)
from solutions.losses.cross_entropy import _log_softmax


def cross_entropy(logits, target, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    log_p = _log_softmax(logits)
    keep = target >= 0
    safe = torch.where(keep, target, torch.zeros_like(target))
    loss = -log_p.gather(-1, safe.unsqueeze(-1)).squeeze(-1)
    if label_smoothing > 0:
        loss = (1 - label_smoothing) * loss - label_smoothing * log_p.mean(-1)
    loss = loss.masked_fill(~keep, 0.0)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / keep.sum()
