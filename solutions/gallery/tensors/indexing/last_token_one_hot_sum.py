"""Picks the last token by multiplying with a one-hot mask over T and summing.

(x * one_hot(lengths - 1, T)[..., None]).sum(1) is right while the padding is finite, but the
contract lets padding hold anything: 0 * inf and 0 * NaN are NaN, so garbage after the end of
a sequence leaks into its result.

Fix: index the position directly: x[torch.arange(B), lengths - 1]."""

import torch
import torch.nn.functional as F

from solutions.tensors.indexing import *  # noqa: F401,F403 (the rest is correct)


def last_token(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    pick = F.one_hot(lengths - 1, x.shape[1]).to(x.dtype)  # (B, T)
    return (x * pick[..., None]).sum(1)
