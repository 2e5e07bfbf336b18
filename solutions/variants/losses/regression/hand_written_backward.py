"""bce_with_logits and bce_loss as autograd.Functions with closed-form gradients (bce_loss's
is torch's, floored at 1e-12; the target gets its gradient too); sums divided by numel."""

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


class _BCE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, p, t):
        ctx.save_for_backward(p, t)
        terms = t * p.log().clamp(min=-100.0) + (1.0 - t) * (1.0 - p).log().clamp(min=-100.0)
        return -terms.sum() / terms.numel()

    @staticmethod
    def backward(ctx, g):
        p, t = ctx.saved_tensors
        # torch's own formula: (p - t) / (p (1 - p)), the denominator floored at 1e-12 (finite at 0 and 1)
        grad_t = None
        if ctx.needs_input_grad[1]:  # d/dt = -(log p - log(1 - p)), clamped logs, as torch
            grad_t = g * ((1 - p).log().clamp(min=-100.0) - p.log().clamp(min=-100.0)) / p.numel()
        return g * (p - t) / (p * (1 - p)).clamp(min=1e-12) / p.numel(), grad_t


def bce_loss(probs, target):
    return _BCE.apply(probs, target)


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
        grad_t = None
        if ctx.needs_input_grad[1]:  # d/dt = w * softplus(-x) - softplus(x)
            grad_t = torch.broadcast_to(w * _softplus(-x) - _softplus(x), t.shape)
            grad_t = g * grad_t / x.numel()
        return g * grad / x.numel(), grad_t, None


def bce_with_logits(logits, target, pos_weight=None):
    w = torch.ones((), dtype=logits.dtype) if pos_weight is None else pos_weight
    return _BCEWithLogits.apply(logits, target, w)
