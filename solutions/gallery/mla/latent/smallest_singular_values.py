"""Keeps the smallest singular values: torch.linalg.svd returns S sorted in DESCENDING order,
so the best rank-r approximation keeps the FIRST r columns of U, values of S and rows of Vh.
Taking the last r keeps the least important directions and throws away the largest: the error
is then the largest singular values, the worst possible choice. Fix: U[..., :, :rank],
S[..., :rank], Vh[..., :rank, :]."""

import torch

from solutions.mla.latent import *  # noqa: F401,F403 (the rest is correct)


def low_rank_factorize(W: torch.Tensor, rank: int) -> tuple[torch.Tensor, torch.Tensor]:
    m, n = W.shape[-2:]
    if not 1 <= rank <= min(m, n):
        raise ValueError(f"rank must be in 1..{min(m, n)}, got {rank}")
    U, S, Vh = torch.linalg.svd(W, full_matrices=False)
    k = S.shape[-1]
    return U[..., :, k - rank:] * S[..., None, k - rank:], Vh[..., k - rank:, :]
