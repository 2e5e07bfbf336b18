"""Day 10 — losses/regression: MSE and binary cross-entropy (on probabilities and on logits).

Write:
    mse_loss(pred, target, reduction="mean") -> (pred - target)^2 reduced: "mean" (a 0-dim
        tensor), "sum" (0-dim) or "none" (pred.shape); any other reduction (another case such
        as "Sum", or None) raises ValueError naming it. pred and target: float32/float64 of the same shape (any shape); the result
        has their dtype. Like F.mse_loss.
    bce_loss(probs, target) -> 0-dim tensor, the mean over all elements of
            -(target * log(probs) + (1 - target) * log(1 - probs))
        where each log is clamped at -100 first, as torch does, so probs of exactly 0 or 1
        give finite losses (at most 100 per element) and never 0 * -inf = NaN. probs in
        [0, 1]; target in [0, 1] (soft labels allowed); same shape. Like
        F.binary_cross_entropy(probs, target). Its gradient w.r.t. probs is finite (no NaN,
        no inf) for every probs in [0, 1], exactly 0 and 1 included (a float32 sigmoid reaches
        1.0 for x above ~17, and one below ~-87 is a subnormal 1e-40 or so), and equals
        torch's away from 0 and 1; at and right next to them any finite value will do (0, as
        from clamping, is fine). Careful: the backward of log(p).clamp(min=-100) at p = 0 is
        the clamp's 0 times log's 1/0 = inf, i.e. NaN, and 1 / p overflows for a subnormal p.
    bce_with_logits(logits, target, pos_weight=None) -> 0-dim tensor, the mean over all
        elements of
            -(pos_weight * target * log(sigmoid(x)) + (1 - target) * log(1 - sigmoid(x)))
        computed stably: logits of ±1e4 give finite, correct losses and gradients
        (log(sigmoid(x)) = -softplus(-x) = -(max(-x, 0) + log1p(exp(-|x|)))). The gradient
        must equal torch's at exactly x = 0 too (a zero-initialised head starts there), where
        autograd's one-sided slopes of max(-x, 0) and |x| in that one-liner are wrong.
        pos_weight (optional) weighs the POSITIVE term only; it broadcasts against logits
        along the last dim (shape (C,) for (..., C) logits, or (1,)). None means 1.
        Like F.binary_cross_entropy_with_logits(logits, target, pos_weight=pos_weight).

Off limits: torch.nn.functional.mse_loss, torch.nn.functional.binary_cross_entropy,
torch.nn.functional.binary_cross_entropy_with_logits, torch.binary_cross_entropy_with_logits
(and nn.MSELoss / nn.BCELoss / nn.BCEWithLogitsLoss, which call them). F.softplus,
F.logsigmoid and torch.log1p are allowed.
Every "mean" is over all elements (over 0 elements it is NaN, like torch, still computed
from the inputs so that backward through it runs: no fresh tensor as a special case).
Gradients flow to the target as well as to the prediction (a soft target may come
from a model), as in torch.
float64 inputs are computed in float64 (pos_weight too). Results live on the inputs' device:
a helper tensor (a default pos_weight) is made there, or is a Python number.
Inputs must not be modified.
Run: pytest katas/losses/regression.py
"""

import torch


def mse_loss(pred: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """Squared error, reduced by 'mean', 'sum' or 'none'."""
    raise NotImplementedError


def bce_loss(probs: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean binary cross-entropy of probabilities, logs clamped at -100."""
    raise NotImplementedError


def bce_with_logits(logits: torch.Tensor, target: torch.Tensor,
                    pos_weight: torch.Tensor | None = None) -> torch.Tensor:
    """Mean binary cross-entropy of logits, stable, optional positive-class weight."""
    raise NotImplementedError
