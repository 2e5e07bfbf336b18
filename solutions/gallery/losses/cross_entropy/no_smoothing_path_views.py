"""A separate label_smoothing == 0 path that flattens with log_p.view(-1, C) and
target.view(-1): on a non-contiguous (e.g. transposed (B, T) batch) logits or target, .view
raises (log_p keeps the logits' strides); the non-contiguous spec ran with smoothing only.

Fix: flatten with .reshape, or gather along the last dim without flattening.
"""

import torch

from solutions.losses.cross_entropy import *  # noqa: F401,F403 (the rest is correct)
from solutions.losses.cross_entropy import _log_softmax


def cross_entropy(logits: torch.Tensor, target: torch.Tensor, ignore_index: int = -100,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> torch.Tensor:
    log_p = _log_softmax(logits)
    keep = target != ignore_index
    safe_target = torch.where(keep, target, torch.zeros_like(target))
    if label_smoothing == 0:
        flat = log_p.view(-1, log_p.shape[-1])
        loss = -flat.gather(1, safe_target.view(-1, 1)).view(target.shape)
    else:
        loss = -log_p.gather(-1, safe_target.unsqueeze(-1)).squeeze(-1)
        uniform = -log_p.mean(dim=-1)
        loss = (1 - label_smoothing) * loss + label_smoothing * uniform
    loss = loss.masked_fill(~keep, 0.0)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.sum() / keep.sum()
    raise ValueError(f"reduction must be 'mean', 'sum' or 'none', not {reduction!r}")
