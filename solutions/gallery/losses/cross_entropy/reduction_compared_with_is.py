"""reduction compared with `is`: identity holds for the interned literals "mean"/"sum"/"none"
but not for an equal string built at runtime (read from a config, joined), which then
raises ValueError. Compare strings with ==."""

import torch

from solutions.losses.cross_entropy import *  # noqa: F401,F403 (the rest is correct)
from solutions.losses.cross_entropy import _log_softmax

NONE, SUM, MEAN = "none", "sum", "mean"


def cross_entropy(logits: torch.Tensor, target: torch.Tensor, ignore_index: int = -100,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> torch.Tensor:
    log_p = _log_softmax(logits)
    keep = target != ignore_index
    safe_target = torch.where(keep, target, torch.zeros_like(target))
    loss = -log_p.gather(-1, safe_target.unsqueeze(-1)).squeeze(-1)
    if label_smoothing > 0:
        loss = (1 - label_smoothing) * loss + label_smoothing * -log_p.mean(dim=-1)
    loss = loss.masked_fill(~keep, 0.0)
    if reduction is NONE:  # identity, not equality
        return loss
    if reduction is SUM:
        return loss.sum()
    if reduction is MEAN:
        return loss.sum() / keep.sum()
    raise ValueError(f"reduction must be 'mean', 'sum' or 'none', not {reduction!r}")
