"""No clamp on the logs: at probs of exactly 0 or 1, log gives -inf. A wrong confident
answer then costs inf, and a right one costs 0 * -inf = NaN, which poisons the whole mean.
Clamp each log at -100 before multiplying by the target, as torch does:
log(p).clamp(min=-100), log(1 - p).clamp(min=-100)."""

import torch

from solutions.losses.regression import *  # noqa: F401,F403 (the rest is correct)


def bce_loss(probs: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return -(target * probs.log() + (1 - target) * (1 - probs).log()).mean()
