"""pos_weight applied to the negatives: pos_weight exists to up-weight the rare POSITIVE
examples (pos_weight = #negatives / #positives balances them), so it multiplies the
target * log(sigmoid(x)) term only. Multiplying the (1 - target) * log(1 - sigmoid(x)) term
instead makes the model even more reluctant to predict the rare class."""

import torch

from solutions.losses.regression import *  # noqa: F401,F403 (the rest is correct)
from solutions.losses.regression import _log_sigmoid


def bce_with_logits(logits: torch.Tensor, target: torch.Tensor,
                    pos_weight: torch.Tensor | None = None) -> torch.Tensor:
    negative = (1 - target) * _log_sigmoid(-logits)
    if pos_weight is not None:
        negative = pos_weight * negative
    return -(target * _log_sigmoid(logits) + negative).mean()
