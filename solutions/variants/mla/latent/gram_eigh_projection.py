"""No SVD of W: the best rank-r approximation is W projected onto its top-r
right singular subspace, W @ V_r @ V_r^T, and V_r holds the eigenvectors of the Gram matrix
W^T W with the r largest eigenvalues (torch.linalg.eigh sorts them ascending). A = W @ V_r,
B = V_r^T: the singular values never appear explicitly."""

import torch

from solutions.mla.latent import (cache_ratio, decompressed_cache_elements,  # noqa: F401
                                  mha_cache_elements, mla_cache_bytes, mla_cache_elements, popular_ratio)


def low_rank_factorize(W: torch.Tensor, rank: int):
    m, n = W.shape[-2:]
    if not 1 <= rank <= min(m, n):
        raise ValueError(f"rank must be in 1..{min(m, n)} for a {m}x{n} matrix, got {rank}")
    _, vectors = torch.linalg.eigh(W.mT @ W)  # (..., n, n), eigenvalues ascending
    V = vectors[..., -rank:]                  # the top-r right singular vectors (any order)
    return W @ V, V.mT
