"""torch's own decomposition: bce_with_logits = (1 - t) * x + (1 + (pos_weight - 1) * t) *
softplus(-x), with softplus(-x) = -logsigmoid(x); bce_loss through a log lifted at tiny
plus a detached correction; mse through
torch.square and sum / numel."""

import torch
import torch.nn.functional as F


def mse_loss(pred, target, reduction="mean"):
    sq = torch.square(pred - target)
    if reduction == "none":
        return sq
    if reduction == "sum":
        return sq.sum()
    if reduction == "mean":
        return sq.sum() / sq.numel()
    raise ValueError(f"unknown reduction {reduction!r}")


def _log_floored(x):
    # log of x clamped at the smallest normal number (a finite slope everywhere), plus a
    # detached correction that restores log(x) below it; then torch's -100 floor
    tiny = torch.finfo(x.dtype).tiny
    lifted = torch.log(x.clamp(min=tiny))
    return torch.clamp(lifted + (torch.log(x) - lifted).detach(), min=-100.0)


def bce_loss(probs, target):
    log_p = _log_floored(probs)
    log_1mp = _log_floored(1 - probs)
    return torch.mean(-(target * log_p + (1 - target) * log_1mp))


def bce_with_logits(logits, target, pos_weight=None):
    weight = 1.0 if pos_weight is None else 1 + (pos_weight - 1) * target
    return torch.mean((1 - target) * logits - weight * F.logsigmoid(logits))
