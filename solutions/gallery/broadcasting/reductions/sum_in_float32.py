"""Summing in float32: x.sum(dim, dtype=torch.float32) / n is a sensible accumulator for
float16, but the result then stays float32 (the contract: same dtype as x), and a float64 x
is summed in float32, losing about 9 of its 16 digits.

Fix: x.sum(dim=dim, keepdim=keepdim) / x.shape[dim] in x's dtype (or accumulate in float64
and cast back with .to(x.dtype))."""

import torch

from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)


def mean(x: torch.Tensor, dim: int = -1, keepdim: bool = False) -> torch.Tensor:
    return x.sum(dim=dim, keepdim=keepdim, dtype=torch.float32) / x.shape[dim]
