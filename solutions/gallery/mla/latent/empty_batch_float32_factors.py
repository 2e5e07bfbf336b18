"""An early return for an empty batch builds the factors with torch.zeros(...) without dtype=:
float32 A and B for a float64 W."""

from typing import Mapping

import torch


def low_rank_factorize(W: torch.Tensor, rank: int) -> tuple[torch.Tensor, torch.Tensor]:
    """W (..., m, n) -> A (..., m, rank), B (..., rank, n): the best rank-`rank` A @ B."""
    m, n = W.shape[-2:]
    if not 1 <= rank <= min(m, n):
        raise ValueError(f"rank must be in 1..{min(m, n)} for a {m}x{n} matrix, got {rank}")
    if W.numel() == 0:
        return torch.zeros(*W.shape[:-2], m, rank), torch.zeros(*W.shape[:-2], rank, n)
    U, S, Vh = torch.linalg.svd(W, full_matrices=False)  # S is sorted, largest first
    root = S[..., :rank].sqrt()                           # split each singular value evenly
    A = U[..., :, :rank] * root[..., None, :]
    B = root[..., :, None] * Vh[..., :rank, :]
    return A, B


def mha_cache_elements(num_heads: int, head_dim: int) -> int:
    """Elements per token per layer that MHA caches: K and V of every head."""
    return 2 * num_heads * head_dim


def mla_cache_elements(kv_lora_rank: int, qk_rope_head_dim: int) -> int:
    """Elements per token per layer that MLA caches: the latent and the shared rope key."""
    return kv_lora_rank + qk_rope_head_dim


def decompressed_cache_elements(num_heads: int, qk_nope_head_dim: int, qk_rope_head_dim: int,
                                v_head_dim: int) -> int:
    """Elements per token per layer of the naive decompressed cache (per-head K and V)."""
    return num_heads * (qk_nope_head_dim + qk_rope_head_dim) + num_heads * v_head_dim


def cache_ratio(num_heads: int, head_dim: int, kv_lora_rank: int, qk_rope_head_dim: int) -> float:
    """MHA's per-token cache divided by MLA's."""
    return mha_cache_elements(num_heads, head_dim) / mla_cache_elements(kv_lora_rank, qk_rope_head_dim)


def popular_ratio(hidden_size: int, kv_lora_rank: int) -> float:
    """2 * hidden_size / kv_lora_rank: the often-quoted ratio (rope key left out)."""
    return 2 * hidden_size / kv_lora_rank


def mla_cache_bytes(config: Mapping[str, int], seq_len: int, batch_size: int = 1,
                    bytes_per_element: int = 2) -> int:
    """Bytes of the whole model's MLA cache for batch_size sequences of seq_len tokens."""
    per_token = mla_cache_elements(config["kv_lora_rank"], config["qk_rope_head_dim"])
    return config["num_hidden_layers"] * batch_size * seq_len * per_token * bytes_per_element
