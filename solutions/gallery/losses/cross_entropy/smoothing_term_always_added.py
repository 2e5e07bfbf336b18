"""Adds the smoothing term at every call: -(eps / C) * sum_c log_p[c] with eps = 0 is
0 * -inf = NaN as soon as a class's logit is -inf (a vocabulary mask), where F.cross_entropy
gives the target's finite loss.

Fix: add the smoothing term only when label_smoothing > 0.
"""

import torch

from solutions.losses.cross_entropy import *  # noqa: F401,F403 (the rest is correct)
from solutions.losses.cross_entropy import cross_entropy as _correct


def cross_entropy(logits, target, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    if label_smoothing > 0:
        return _correct(logits, target, ignore_index, reduction, label_smoothing)
    c = logits.shape[-1]
    m = logits.amax(-1, keepdim=True)
    log_p = logits - m - (logits - m).exp().sum(-1, keepdim=True).log()
    keep = target != ignore_index
    nll = -log_p.gather(-1, torch.where(keep, target, 0)[..., None])[..., 0]
    loss = torch.where(keep, nll - (label_smoothing / c) * log_p.sum(-1), 0.0)  # wrong: 0 * -inf
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.sum() / keep.sum()
    raise ValueError(f"unknown reduction {reduction!r}")
