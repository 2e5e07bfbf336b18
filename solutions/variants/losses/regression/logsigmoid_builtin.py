"""F.logsigmoid for the logits loss, torch.maximum for the -100 clamp, squared error as d * d."""

import torch
import torch.nn.functional as F


def mse_loss(pred, target, reduction="mean"):
    d = pred - target
    sq = d * d
    ops = {"none": lambda v: v, "sum": torch.sum, "mean": torch.mean}
    if reduction not in ops:
        raise ValueError(f"reduction {reduction!r} not in {sorted(ops)}")
    return ops[reduction](sq)


def bce_loss(probs, target):
    floor = torch.tensor(-100.0, dtype=probs.dtype)
    log_p = torch.maximum(torch.log(probs), floor)
    log_q = torch.maximum(torch.log1p(-probs), floor)
    return torch.mean(-(target * log_p) - (1 - target) * log_q)


def bce_with_logits(logits, target, pos_weight=None):
    pos = target * F.logsigmoid(logits)
    if pos_weight is not None:
        pos = pos * pos_weight
    return -(pos + (1 - target) * F.logsigmoid(-logits)).mean()
