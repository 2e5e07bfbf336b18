"""Day 10 — losses/regression: reference solution."""

import torch


def mse_loss(pred: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """Squared error, reduced by 'mean', 'sum' or 'none'."""
    sq = (pred - target) ** 2
    if reduction == "none":
        return sq
    if reduction == "sum":
        return sq.sum()
    if reduction == "mean":
        return sq.mean()
    raise ValueError(f"reduction must be 'mean', 'sum' or 'none', not {reduction!r}")


def _clamped_log(x: torch.Tensor) -> torch.Tensor:
    """log(x).clamp(min=-100), as torch does, with a finite gradient everywhere in [0, 1].

    log(x).clamp(min=-100) alone is right in value, but at x = 0 its backward multiplies the
    clamp's zero slope by log's infinite one (0 * inf = NaN), and for a float32 subnormal x
    1 / x overflows to inf. Below the smallest normal number the log is taken of a detached x:
    the value is kept and the gradient there is 0, like any clamped region's."""
    tiny = torch.finfo(x.dtype).tiny
    return torch.where(x >= tiny, x.clamp(min=tiny).log(), x.detach().log()).clamp(min=-100)


def bce_loss(probs: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean binary cross-entropy of probabilities, logs clamped at -100."""
    log_p = _clamped_log(probs)  # log(0) = -inf becomes -100, as in torch
    log_1mp = _clamped_log(1 - probs)
    return -(target * log_p + (1 - target) * log_1mp).mean()


def _log_sigmoid(x: torch.Tensor) -> torch.Tensor:
    """log(sigmoid(x)) = -softplus(-x), without overflow: exp only ever sees arguments <= 0.

    Written per branch (-log1p(exp(-x)) for x >= 0, x - log1p(exp(x)) below) rather than as
    -(max(-x, 0) + log1p(exp(-|x|))): that one-liner is right in value, but autograd takes
    one-sided slopes of max and |x| at x = 0 and gets the gradient wrong there (1 - t instead of
    0.5 - t), which is exactly where a zero-initialised head starts. The clamps keep the branch
    that torch.where discards finite, so its zero gradient never meets an inf."""
    pos = x.clamp(min=0)
    neg = x.clamp(max=0)
    return torch.where(x >= 0, -torch.log1p(torch.exp(-pos)), neg - torch.log1p(torch.exp(neg)))


def bce_with_logits(logits: torch.Tensor, target: torch.Tensor,
                    pos_weight: torch.Tensor | None = None) -> torch.Tensor:
    """Mean binary cross-entropy of logits, stable, optional positive-class weight."""
    log_p = _log_sigmoid(logits)       # log(sigmoid(x))
    log_1mp = _log_sigmoid(-logits)    # log(1 - sigmoid(x)) = log(sigmoid(-x))
    positive = target * log_p
    if pos_weight is not None:
        positive = pos_weight * positive
    return -(positive + (1 - target) * log_1mp).mean()
