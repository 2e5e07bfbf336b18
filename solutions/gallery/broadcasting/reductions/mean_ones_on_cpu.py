"""mean as a product with a ones vector built by torch.ones(n, dtype=x.dtype) without device=:
right on CPU inputs, but the ones vector is a CPU tensor that a GPU x cannot be multiplied
with (the contract says results live on the inputs' device: build any helper tensor there).

Fix: torch.ones(n, dtype=x.dtype, device=x.device), or x.sum(dim, keepdim=keepdim) / n.
"""

import torch

from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)


def mean(x: torch.Tensor, dim: int = -1, keepdim: bool = False) -> torch.Tensor:
    moved = x.movedim(dim, -1)
    n = moved.shape[-1]
    out = (moved @ torch.ones(n, dtype=x.dtype)) / n
    return out.unsqueeze(dim) if keepdim else out
