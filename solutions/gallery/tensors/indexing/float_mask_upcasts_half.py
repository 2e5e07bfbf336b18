"""Turns the mask into numbers with mask.float() and multiplies.

x * mask.float() promotes a float16 or bfloat16 x to float32 (float32 wins the type
promotion), so the result comes back in float32 instead of x's dtype; a half-precision model
then carries float32 activations from here on.

Fix: keep x's dtype: torch.where(mask, x, 0), x * mask (a bool mask does not promote), or
mask.to(x.dtype)."""

import torch

from solutions.tensors.indexing import *  # noqa: F401,F403 (the rest is correct)


def masked_mean(x: torch.Tensor, mask: torch.Tensor, dim: int) -> torch.Tensor:
    m = mask.float()
    return (x * m).sum(dim) / m.sum(dim).clamp_min(1)
