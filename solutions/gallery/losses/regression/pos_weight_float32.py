"""bce_with_logits that casts pos_weight with .float() "to be safe" (an integer weight tensor
would otherwise trip it up): for float64 logits a weight such as 0.3 is rounded to float32's
7 digits, so the loss is off in the 8th digit although float64 inputs are computed in
float64.

Fix: pos_weight.to(logits.dtype) (or no cast at all).
"""

from solutions.losses.regression import *  # noqa: F401,F403 (the rest is correct)
from solutions.losses.regression import _log_sigmoid


def bce_with_logits(logits, target, pos_weight=None):
    positive = target * _log_sigmoid(logits)
    if pos_weight is not None:
        positive = pos_weight.float() * positive
    return -(positive + (1 - target) * _log_sigmoid(-logits)).mean()
