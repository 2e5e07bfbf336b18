"""Smoothing over the C - 1 other classes: putting 1 - eps on the true class and eps / (C - 1)
on each wrong one is a reasonable-sounding distribution, but it is not the one torch (and the
Inception paper, "Rethinking the Inception Architecture") uses: eps is spread uniformly over
ALL C classes, the true one included, so the true class gets 1 - eps + eps / C. The loss is
(1 - eps) * nll + eps * mean over classes of -log_p."""

import torch

from solutions.losses.cross_entropy import *  # noqa: F401,F403 (the rest is correct)
from solutions.losses.cross_entropy import _log_softmax


def cross_entropy(logits: torch.Tensor, target: torch.Tensor, ignore_index: int = -100,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> torch.Tensor:
    log_p = _log_softmax(logits)
    c = logits.shape[-1]
    keep = target != ignore_index
    safe_target = torch.where(keep, target, torch.zeros_like(target))
    true_class = torch.nn.functional.one_hot(safe_target, c).to(logits.dtype)
    eps = label_smoothing
    q = true_class * (1 - eps) + (1 - true_class) * (eps / max(c - 1, 1))
    loss = -(q * log_p).sum(dim=-1)
    loss = loss.masked_fill(~keep, 0.0)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / keep.sum()
