"""SVD in float64 then cast back; S folded into B (A = U_r, B = diag(S_r) Vh_r) via einsum."""

import math

import torch

from solutions.mla.latent import (cache_ratio, decompressed_cache_elements,  # noqa: F401
                                  mha_cache_elements, mla_cache_elements, popular_ratio)


def low_rank_factorize(W, rank):
    m, n = W.shape[-2], W.shape[-1]
    if not (0 < rank <= min(m, n)):
        raise ValueError(f"need 1 <= rank <= {min(m, n)}, got {rank}")
    U, S, Vh = torch.linalg.svd(W.to(torch.float64), full_matrices=False)
    A = U[..., :rank]
    B = torch.einsum("...r,...rn->...rn", S[..., :rank], Vh[..., :rank, :])
    return A.to(W.dtype), B.to(W.dtype)


def mla_cache_bytes(config, seq_len, batch_size=1, bytes_per_element=2):
    return math.prod((config["num_hidden_layers"], batch_size, seq_len, bytes_per_element,
                      config["kv_lora_rank"] + config["qk_rope_head_dim"]))
