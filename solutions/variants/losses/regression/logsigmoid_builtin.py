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


def _log(x, log_fn, ok):
    # log_fn sees 1 wherever ok is False, so its slope stays finite; there the value comes
    # from a detached input (gradient 0)
    safe = torch.where(ok, x, torch.ones_like(x))
    return torch.where(ok, log_fn(safe), log_fn(x.detach()))


def bce_loss(probs, target):
    floor = torch.tensor(-100.0, dtype=probs.dtype, device=probs.device)
    tiny = torch.finfo(probs.dtype).tiny
    log_p = torch.maximum(_log(probs, torch.log, probs >= tiny), floor)
    log_q = torch.maximum(_log(-probs, torch.log1p, probs < 1), floor)
    return torch.mean(-(target * log_p) - (1 - target) * log_q)


def bce_with_logits(logits, target, pos_weight=None):
    pos = target * F.logsigmoid(logits)
    if pos_weight is not None:
        pos = pos * pos_weight
    return -(pos + (1 - target) * F.logsigmoid(-logits)).mean()
