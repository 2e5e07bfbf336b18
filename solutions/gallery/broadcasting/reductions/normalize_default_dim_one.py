"""Copies F.normalize's signature, default dim=1, where the contract's default is dim=-1: on a
2-D x the two are the same dim, so it looks right, but normalize(x) of a (B, T, C) batch of
embeddings normalises over T instead of over the features.

Fix: def normalize(x, dim=-1, eps=1e-12).
"""

import torch

from solutions.broadcasting.reductions import normalize as _normalize
from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)


def normalize(x: torch.Tensor, dim: int = 1, eps: float = 1e-12) -> torch.Tensor:
    return _normalize(x, dim, eps)
