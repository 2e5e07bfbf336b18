"""The norm taken in float32 "for safety": (x.float() ** 2).sum(dim, keepdim=True).sqrt()
avoids float16 overflow, but x / norm then promotes a float16 or bfloat16 x to a float32
result, breaking the contract (same dtype as x) and doubling the memory of the output.

Fix: cast the norm back (norm.to(x.dtype)) before dividing, or compute in x's dtype."""

import torch

from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)


def normalize(x: torch.Tensor, dim: int = -1, eps: float = 1e-12) -> torch.Tensor:
    norm = torch.linalg.vector_norm(x.float(), dim=dim, keepdim=True)  # float32
    return x / norm.clamp_min(eps)  # float16 / float32 -> float32
