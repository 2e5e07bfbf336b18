"""Fills a buffer of zeros by adding the rearranged heads into it (out = zeros; out += ...)
instead of assigning them: the values are computed, not moved, and every -0.0 comes back
as 0.0 (0.0 + -0.0 is 0.0). The contract keeps every value exactly as it is.

Fix: return x.transpose(1, 2).reshape(B, T, H * D) (or assign: out[...] = ..., not +=).
"""

import torch

from solutions.tensors.reshaping import *  # noqa: F401,F403 (the rest is correct)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    B, H, T, D = x.shape
    out = torch.zeros(B, T, H * D, dtype=x.dtype, device=x.device)
    out += x.transpose(1, 2).reshape(B, T, H * D)
    return out
