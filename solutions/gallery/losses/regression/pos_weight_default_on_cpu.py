"""bce_with_logits that replaces a missing pos_weight by torch.ones(C, dtype=logits.dtype):
the ones live on the default device (the CPU), so with logits on a GPU the product raises a
device mismatch, though the values on the CPU are right.

Fix: leave the positive term unweighted when pos_weight is None (or multiply by the Python
number 1.0), or build the ones with torch.ones_like / device=logits.device.
"""

import torch

from solutions.losses.regression import *  # noqa: F401,F403 (the rest is correct)
from solutions.losses.regression import _log_sigmoid


def bce_with_logits(logits, target, pos_weight=None):
    if pos_weight is None:
        pos_weight = torch.ones(logits.shape[-1] if logits.dim() else 1, dtype=logits.dtype)
    positive = pos_weight * target * _log_sigmoid(logits)
    return -(positive + (1 - target) * _log_sigmoid(-logits)).mean()
