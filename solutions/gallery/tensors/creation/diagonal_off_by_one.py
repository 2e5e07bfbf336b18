"""Off-by-one diagonal: tril(diagonal=-1) hides each token from itself, so position 0
attends to nothing (its softmax row becomes all -inf, then NaN)."""

import torch

from solutions.tensors.creation import *  # noqa: F401,F403 (the rest is correct)


def causal_mask(n: int) -> torch.Tensor:
    return torch.ones(n, n, dtype=torch.bool).tril(diagonal=-1)
