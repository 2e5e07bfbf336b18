"""Singular values dropped: U_r @ Vh_r alone has the right directions but every singular value
set to 1, so A @ B is not an approximation of W at all (its size is wrong). The product must be
U_r @ diag(S_r) @ Vh_r: put S_r into A (U_r * S_r), into B, or sqrt(S_r) into each."""

import torch

from solutions.mla.latent import *  # noqa: F401,F403 (the rest is correct)


def low_rank_factorize(W: torch.Tensor, rank: int) -> tuple[torch.Tensor, torch.Tensor]:
    m, n = W.shape[-2:]
    if not 1 <= rank <= min(m, n):
        raise ValueError(f"rank must be in 1..{min(m, n)}, got {rank}")
    U, S, Vh = torch.linalg.svd(W, full_matrices=False)
    return U[..., :, :rank], Vh[..., :rank, :]
