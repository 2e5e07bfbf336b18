"""Day 25 — inference/memory: reference solution."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelConfig:
    """A decoder-only transformer's dimensions (given)."""
    d_model: int
    n_layers: int
    n_heads: int
    n_kv_heads: int
    head_dim: int
    d_ff: int
    vocab: int
    dtype_bytes: int = 2


@dataclass(frozen=True)
class Hardware:
    """An accelerator's peak compute (FLOP/s) and memory bandwidth (bytes/s) (given)."""
    name: str
    peak_flops: float
    bandwidth: float


H100 = Hardware("NVIDIA H100 SXM5 (dense BF16, HBM3)", peak_flops=989.5e12, bandwidth=3.35e12)


def kv_cache_bytes(batch: int, seq_len: int, n_layers: int, n_heads: int, head_dim: int,
                   n_kv_heads: int | None = None, dtype_bytes: int = 2, kind: str = "mha",
                   kv_lora_rank: int | None = None, qk_rope_head_dim: int | None = None) -> int:
    """Bytes of the KV cache for kind "mha", "gqa", "mqa" or "mla"."""
    if kind not in ("mha", "gqa", "mqa", "mla"):
        raise ValueError(f"unknown kind {kind!r}: expected 'mha', 'gqa', 'mqa' or 'mla'")
    if kind == "gqa" and n_kv_heads is None:
        raise ValueError("kind='gqa' needs n_kv_heads")
    if kind == "mla" and (kv_lora_rank is None or qk_rope_head_dim is None):
        raise ValueError(f"kind='mla' needs kv_lora_rank and qk_rope_head_dim (got kv_lora_rank="
                         f"{kv_lora_rank}, qk_rope_head_dim={qk_rope_head_dim})")
    if kind == "mla":  # one latent and one shared rope key per token and layer
        per_token_layer = kv_lora_rank + qk_rope_head_dim
    else:
        heads = {"mha": n_heads, "gqa": n_kv_heads, "mqa": 1}[kind]
        per_token_layer = 2 * heads * head_dim  # a key and a value per kv head
    return batch * seq_len * n_layers * per_token_layer * dtype_bytes


def matmul_flops(m: int, n: int, k: int) -> int:
    """FLOPs of (m, k) @ (k, n), 2 per multiply-add."""
    return 2 * m * n * k


def arithmetic_intensity(flops: float, bytes: float) -> float:
    """FLOPs per byte."""
    return flops / bytes


def roofline_time(flops: float, bytes: float, peak_flops: float, bandwidth: float) -> float:
    """Seconds: the larger of compute time and memory time."""
    return max(flops / peak_flops, bytes / bandwidth)


def decode_step_cost(config: ModelConfig, context: int) -> tuple[int, int]:
    """(flops, bytes) of one batch-1 decode step attending to `context` keys per layer."""
    c = config
    q_dim, kv_dim = c.n_heads * c.head_dim, c.n_kv_heads * c.head_dim
    # (rows, cols) of every weight matrix one token goes through, per layer
    layer_weights = [(c.d_model, q_dim), (c.d_model, kv_dim), (c.d_model, kv_dim), (q_dim, c.d_model),
                     (c.d_model, c.d_ff), (c.d_ff, c.d_model)]
    weight_flops = sum(matmul_flops(1, cols, rows) for rows, cols in layer_weights)
    attention_flops = c.n_heads * (matmul_flops(1, context, c.head_dim)     # q_h @ K^T
                                   + matmul_flops(1, c.head_dim, context))  # weights @ V
    flops = c.n_layers * (weight_flops + attention_flops) + matmul_flops(1, c.vocab, c.d_model)

    weight_elements = c.n_layers * sum(rows * cols for rows, cols in layer_weights) + c.d_model * c.vocab
    cache_bytes = kv_cache_bytes(1, context, c.n_layers, c.n_heads, c.head_dim, n_kv_heads=c.n_kv_heads,
                                 dtype_bytes=c.dtype_bytes, kind="gqa")
    return flops, weight_elements * c.dtype_bytes + cache_bytes
