"""cross_entropy_backward guards the division by the number of positions with `if
target.numel() == 0: return torch.zeros(logits.shape, device=logits.device)`: the shape
and device are right, but the gradient is float32 whatever the logits' dtype, so float64
logits with no positions get a float32 gradient. Fix: torch.zeros_like(logits), or no guard
(dividing an empty tensor by 0 gives an empty tensor)."""

import torch

from solutions.losses.cross_entropy import *  # noqa: F401,F403 (the rest is correct)
from solutions.losses.cross_entropy import cross_entropy_backward as _backward


def cross_entropy_backward(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    if target.numel() == 0:
        return torch.zeros(logits.shape, device=logits.device)  # wrong: float32
    return _backward(logits, target)
