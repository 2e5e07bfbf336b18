"""Rank checked against the first two dims: `m, n = W.shape[0], W.shape[1]` works for a plain
matrix, but W may carry batch dims in front, and then the bound is read from the batch size
(a valid rank 3 for a (2, 5, 4) stack is rejected, an impossible one let through).

Fix: m, n = W.shape[-2:] — the matrix dims are always the last two.
"""

import torch

from solutions.mla.latent import *  # noqa: F401,F403 (the rest is correct)


def low_rank_factorize(W: torch.Tensor, rank: int):
    m, n = W.shape[0], W.shape[1]  # wrong: batch dims come first
    if not 1 <= rank <= min(m, n):
        raise ValueError(f"rank must be in 1..{min(m, n)}, got {rank}")
    U, S, Vh = torch.linalg.svd(W, full_matrices=False)
    root = S[..., :rank].sqrt()
    return U[..., :, :rank] * root[..., None, :], root[..., :, None] * Vh[..., :rank, :]
