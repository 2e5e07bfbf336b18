"""Day 10 — losses/cross_entropy: reference solution (self-contained)."""

import torch


def _log_softmax(x: torch.Tensor) -> torch.Tensor:
    """Stable log-softmax over the last dim."""
    shifted = x - x.amax(dim=-1, keepdim=True)
    return shifted - shifted.exp().sum(dim=-1, keepdim=True).log()


def cross_entropy(logits: torch.Tensor, target: torch.Tensor, ignore_index: int = -100,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> torch.Tensor:
    """Cross-entropy of (..., C) logits against (...) int64 targets, class dim last."""
    log_p = _log_softmax(logits)                                    # (..., C)
    keep = target != ignore_index                                   # (...)
    safe_target = torch.where(keep, target, torch.zeros_like(target))  # ignored rows: any class
    loss = -log_p.gather(-1, safe_target.unsqueeze(-1)).squeeze(-1)  # (...) negative log-lik.
    if label_smoothing > 0:
        uniform = -log_p.mean(dim=-1)  # cross-entropy against eps/C on every class
        loss = (1 - label_smoothing) * loss + label_smoothing * uniform
    loss = loss.masked_fill(~keep, 0.0)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.sum() / keep.sum()  # over the positions that count
    raise ValueError(f"reduction must be 'mean', 'sum' or 'none', not {reduction!r}")


def cross_entropy_backward(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """d cross_entropy(logits, target) / d logits, written by hand."""
    shifted = logits - logits.amax(dim=-1, keepdim=True)
    probs = shifted.exp()
    probs = probs / probs.sum(dim=-1, keepdim=True)
    classes = torch.arange(logits.shape[-1], device=logits.device)
    one_hot = (target.unsqueeze(-1) == classes).to(logits.dtype)
    return (probs - one_hot) / target.numel()
