"""bce_with_logits as an autograd.Function with the closed-form gradient; sums divided by numel."""

import torch


def mse_loss(pred, target, reduction="mean"):
    sq = torch.square(pred - target)
    if reduction == "mean":
        return sq.sum() / sq.numel()
    if reduction == "sum":
        return sq.sum()
    if reduction == "none":
        return sq
    raise ValueError(f"bad reduction {reduction!r}")


def bce_loss(probs, target):
    terms = target * probs.log().clamp(min=-100.0) + (1.0 - target) * (1.0 - probs).log().clamp(min=-100.0)
    return -terms.sum() / terms.numel()


def _sigmoid(x):
    e = torch.exp(-x.abs())
    return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _softplus(x):  # log(1 + exp(x)), stable
    return x.clamp(min=0) + torch.log1p(torch.exp(-x.abs()))


class _BCEWithLogits(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, t, w):
        ctx.save_for_backward(x, t, w)
        # -log sigmoid(x) = softplus(-x); -log(1 - sigmoid(x)) = softplus(x)
        per = w * t * _softplus(-x) + (1 - t) * _softplus(x)
        return per.sum() / per.numel()

    @staticmethod
    def backward(ctx, g):
        x, t, w = ctx.saved_tensors
        s = _sigmoid(x)
        grad = (1 - t) * s - w * t * (1 - s)
        grad = torch.broadcast_to(grad, x.shape)
        return g * grad / x.numel(), None, None


def bce_with_logits(logits, target, pos_weight=None):
    w = torch.ones((), dtype=logits.dtype) if pos_weight is None else pos_weight
    return _BCEWithLogits.apply(logits, target, w)
