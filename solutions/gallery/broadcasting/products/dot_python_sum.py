"""dot rebuilt from Python numbers: torch.tensor(sum(float(x) * float(y) for ...)) has the
right value and dtype, but it is a new leaf tensor with no autograd graph, so no gradient
reaches a or b (and every element is a separate Python call). The contract says dot stays
differentiable.

Fix: keep it in tensor ops: (a * b).sum()."""

import torch

from solutions.broadcasting.products import *  # noqa: F401,F403 (the rest is correct)


def dot(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    if a.dim() != 1 or b.dim() != 1 or a.shape[0] != b.shape[0]:
        raise ValueError(f"dot needs two 1-D tensors of one length, got {tuple(a.shape)} and "
                         f"{tuple(b.shape)}")
    total = sum(x * y for x, y in zip(a.tolist(), b.tolist()))
    return torch.tensor(total, dtype=a.dtype)  # no graph back to a and b
