"""cross_entropy that builds the smoothed target distribution densely with
torch.zeros(logits.shape) (no dtype: float32) and fills it with eps / C and 1 - eps + eps / C:
for float64 logits the weights are rounded to float32, so the loss is off in the 8th digit
although the contract computes in the logits' dtype.

Fix: torch.zeros_like(logits) (or dtype=logits.dtype), or the closed form
(1 - eps) * nll + eps * mean(-log_p).
"""

import torch

from solutions.losses.cross_entropy import *  # noqa: F401,F403 (the rest is correct)
from solutions.losses.cross_entropy import _log_softmax


def cross_entropy(logits, target, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    c = logits.shape[-1]
    log_p = _log_softmax(logits)
    keep = target != ignore_index
    safe = torch.where(keep, target, torch.zeros_like(target))
    dist = torch.zeros(logits.shape)
    dist += label_smoothing / c
    dist.scatter_add_(-1, safe.unsqueeze(-1), torch.full((*target.shape, 1), 1.0 - label_smoothing))
    loss = -(dist * log_p).sum(-1)
    loss = loss.masked_fill(~keep, 0.0)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.sum() / keep.sum()
    raise ValueError(f"unknown reduction {reduction!r}")
