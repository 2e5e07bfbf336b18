"""Day 26 — mla/latent: low-rank factors and the latent KV cache.

Multi-head latent attention (MLA, DeepSeek-V2, arXiv 2405.04434) caches one small latent
vector per token instead of every head's key and value. Two ideas sit under it: a big matrix
is well approximated by a product of two thin ones (low rank), and a cache that stores the
thin product's middle (the latent) is tiny. This kata computes both.

Write:
    low_rank_factorize(W, rank) -> (A, B)
        W: (..., m, n) float32 or float64 (any batch dims, any layout: a transposed or
        permuted, non-contiguous stack is a valid W); 1 <= rank <= min(m, n), else
        ValueError. A: (..., m, rank), B: (..., rank, n), W's dtype, with A @ B the BEST
        rank-`rank` approximation of W. By Eckart–Young that is the truncated SVD
        W = U diag(S) Vh -> keep the `rank` largest singular values. The error then is
            ||W - A @ B||_F = sqrt(S[rank]^2 + S[rank+1]^2 + ...)   (the discarded values)
            ||W - A @ B||_2 = S[rank]                               (the next singular value)
        How S is split between A and B is yours (U_r diag(S_r) and Vh_r, or sqrt(S_r) on each
        side): only A @ B is checked. W must not be modified.

    Per-token cache sizes, counted in ELEMENTS per token per layer (all ints):
    mha_cache_elements(num_heads, head_dim) -> 2 * num_heads * head_dim
        multi-head attention caches a key AND a value of head_dim for every head.
    mla_cache_elements(kv_lora_rank, qk_rope_head_dim) -> kv_lora_rank + qk_rope_head_dim
        MLA caches the compressed latent c_kv (kv_lora_rank, shared by all heads) and the
        decoupled RoPE key k_rope (qk_rope_head_dim, also shared by all heads): no head count.
    decompressed_cache_elements(num_heads, qk_nope_head_dim, qk_rope_head_dim, v_head_dim)
        -> num_heads * (qk_nope_head_dim + qk_rope_head_dim) + num_heads * v_head_dim
        what a naive implementation caches after decompressing the latent: every head's full
        key (nope + rope part) and value. Hugging Face's DeepSeek-V3 caches this; it is NOT
        MLA's cache (for DeepSeek-V2/V3 it is even larger than MHA's).
    cache_ratio(num_heads, head_dim, kv_lora_rank, qk_rope_head_dim) -> float
        mha_cache_elements / mla_cache_elements.
    popular_ratio(hidden_size, kv_lora_rank) -> float: 2 * hidden_size / kv_lora_rank, the
        often-quoted "28x" (K and V of width hidden_size = all heads together, against the
        latent alone, the rope key left out).
    mla_cache_bytes(config, seq_len, batch_size=1, bytes_per_element=2) -> int
        the whole model's MLA cache: num_hidden_layers * batch_size * seq_len *
        mla_cache_elements(...) * bytes_per_element (2 = BF16), an exact int also beyond 2**53
        (integers only: no float factor on the way); seq_len = 0, an explicit batch_size = 0
        or an explicit bytes_per_element = 0 gives 0 (only an omitted argument takes its
        default). config is a dict with the keys of DeepSeek's config.json
        (num_hidden_layers, num_attention_heads, hidden_size,
        kv_lora_rank, qk_nope_head_dim, qk_rope_head_dim, v_head_dim, ...): use what you need.
        Only the num_hidden_layers decoder layers count: DeepSeek-V3's config.json also has
        num_nextn_predict_layers (1, the multi-token-prediction module, not loaded for
        ordinary decoding), which adds no layer here.

DeepSeek's numbers (check yours against them): DeepSeek-V2 and V3 both have 128 heads,
qk_nope_head_dim 128, qk_rope_head_dim 64, v_head_dim 128, kv_lora_rank 512 (hidden_size 5120
and 60 layers for V2, 7168 and 61 layers for V3). Against MHA with 128 heads of 128:
32,768 vs 576 elements per token per layer, 56.9x less; the decompressed cache would hold
128 * (128 + 64) + 128 * 128 = 40,960. And 2 * 7168 / 512 = 28 is where "28x" comes from.

Conventions: DeepSeek's names (kv_lora_rank = d_c, qk_rope_head_dim = d_h^R,
qk_nope_head_dim = d_h in the V2 paper's notation).
Off limits: none (torch.linalg.svd is the tool for low_rank_factorize).
Inputs must not be modified.
Run: pytest katas/mla/latent.py
"""

from typing import Mapping

import torch


def low_rank_factorize(W: torch.Tensor, rank: int) -> tuple[torch.Tensor, torch.Tensor]:
    """W (..., m, n) -> A (..., m, rank), B (..., rank, n): the best rank-`rank` A @ B."""
    raise NotImplementedError


def mha_cache_elements(num_heads: int, head_dim: int) -> int:
    """Elements per token per layer that MHA caches: K and V of every head."""
    raise NotImplementedError


def mla_cache_elements(kv_lora_rank: int, qk_rope_head_dim: int) -> int:
    """Elements per token per layer that MLA caches: the latent and the shared rope key."""
    raise NotImplementedError


def decompressed_cache_elements(num_heads: int, qk_nope_head_dim: int, qk_rope_head_dim: int,
                                v_head_dim: int) -> int:
    """Elements per token per layer of the naive decompressed cache (per-head K and V)."""
    raise NotImplementedError


def cache_ratio(num_heads: int, head_dim: int, kv_lora_rank: int, qk_rope_head_dim: int) -> float:
    """MHA's per-token cache divided by MLA's."""
    raise NotImplementedError


def popular_ratio(hidden_size: int, kv_lora_rank: int) -> float:
    """2 * hidden_size / kv_lora_rank: the often-quoted ratio (rope key left out)."""
    raise NotImplementedError


def mla_cache_bytes(config: Mapping[str, int], seq_len: int, batch_size: int = 1,
                    bytes_per_element: int = 2) -> int:
    """Bytes of the whole model's MLA cache for batch_size sequences of seq_len tokens."""
    raise NotImplementedError
