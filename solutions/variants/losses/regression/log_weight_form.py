"""torch's own decomposition: bce_with_logits = (1 - t) * x + (1 + (pos_weight - 1) * t) *
softplus(-x), with softplus(-x) = -logsigmoid(x); bce_loss through log1p(-p); mse through
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


def bce_loss(probs, target):
    log_p = torch.clamp(torch.log(probs), min=-100.0)
    log_1mp = torch.clamp(torch.log1p(-probs), min=-100.0)
    return torch.mean(-(target * log_p + (1 - target) * log_1mp))


def bce_with_logits(logits, target, pos_weight=None):
    weight = 1.0 if pos_weight is None else 1 + (pos_weight - 1) * target
    return torch.mean((1 - target) * logits - weight * F.logsigmoid(logits))
