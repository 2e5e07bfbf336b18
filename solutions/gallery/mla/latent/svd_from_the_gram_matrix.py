"""Builds the SVD from an eigendecomposition of W^T W: V and S^2 from torch.linalg.eigh, then
U = W V / S. Fine while every kept singular value is large, but a W whose rank is below the
rank asked for (a product P @ Q of rank r, factorized at min(m, n)) has zero singular values:
U divides by 0 there and A @ B is nan instead of W itself. (Squaring W also halves the digits
of the small singular values.)

Fix: U, S, Vh = torch.linalg.svd(W, full_matrices=False), then keep the first `rank`."""

import torch

from solutions.mla.latent import *  # noqa: F401,F403 (the rest is correct)


def low_rank_factorize(W: torch.Tensor, rank: int) -> tuple[torch.Tensor, torch.Tensor]:
    m, n = W.shape[-2:]
    if not 1 <= rank <= min(m, n):
        raise ValueError(f"rank must be in 1..{min(m, n)} for a {m}x{n} matrix, got {rank}")
    k = min(m, n)
    evals, V = torch.linalg.eigh(W.transpose(-2, -1) @ W)  # ascending: flip to largest first
    evals, V = evals.flip(-1)[..., :k], V.flip(-1)[..., :, :k]
    S = evals.clamp_min(0).sqrt()
    U = (W @ V) / S[..., None, :]  # wrong: divides by singular values that may be 0
    root = S[..., :rank].sqrt()
    return U[..., :, :rank] * root[..., None, :], root[..., :, None] * V[..., :, :rank].transpose(-2, -1)
