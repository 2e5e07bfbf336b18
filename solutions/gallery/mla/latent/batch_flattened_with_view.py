"""Batch dims flattened with .view: W.view(-1, m, n) works for a contiguous W and for a plain
non-contiguous matrix (a leading dim of 1 can always be added), but a stack whose batch dims
are not laid out one after the other (a permuted, non-contiguous (2, 3, m, n) W) cannot be
viewed that way and fails with a RuntimeError about strides.

Fix: W.reshape(-1, m, n) (it copies when it must), or leave the batch dims alone:
torch.linalg.svd handles (..., m, n) directly.
"""

import torch

from solutions.mla.latent import *  # noqa: F401,F403 (the rest is correct)


def low_rank_factorize(W: torch.Tensor, rank: int):
    m, n = W.shape[-2:]
    if not 1 <= rank <= min(m, n):
        raise ValueError(f"rank must be in 1..{min(m, n)}, got {rank}")
    flat = W.view(-1, m, n)  # wrong: .view needs a layout it can merge
    U, S, Vh = torch.linalg.svd(flat, full_matrices=False)
    root = S[..., :rank].sqrt()
    A, B = U[..., :, :rank] * root[..., None, :], root[..., :, None] * Vh[..., :rank, :]
    return A.reshape(*W.shape[:-2], m, rank), B.reshape(*W.shape[:-2], rank, n)
