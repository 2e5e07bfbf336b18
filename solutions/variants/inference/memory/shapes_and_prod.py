"""Correct variant: every count built from the shapes of the tensors involved, with math.prod and a kind table."""

import math

from solutions.inference.memory import H100, Hardware, ModelConfig  # noqa: F401 (given data)

_NEEDS = {"mha": (), "gqa": ("n_kv_heads",), "mqa": (), "mla": ("kv_lora_rank", "qk_rope_head_dim")}


def kv_cache_bytes(batch, seq_len, n_layers, n_heads, head_dim, n_kv_heads=None, dtype_bytes=2, kind="mha",
                   kv_lora_rank=None, qk_rope_head_dim=None):
    if kind not in _NEEDS:
        raise ValueError(f"kind must be one of {sorted(_NEEDS)}, not {kind!r}")
    given = dict(n_kv_heads=n_kv_heads, kv_lora_rank=kv_lora_rank, qk_rope_head_dim=qk_rope_head_dim)
    for name in _NEEDS[kind]:
        if given[name] is None:
            raise ValueError(f"{name} is required for kind {kind!r}")
    if kind == "mla":
        shapes = [(batch, seq_len, kv_lora_rank), (batch, seq_len, qk_rope_head_dim)]
    else:
        heads = {"mha": n_heads, "gqa": n_kv_heads, "mqa": 1}[kind]
        shapes = [(batch, heads, seq_len, head_dim)] * 2  # keys, values
    return n_layers * sum(math.prod(s) for s in shapes) * dtype_bytes


def matmul_flops(m, n, k):
    return math.prod((2, m, n, k))


def arithmetic_intensity(flops, bytes):
    return float(flops) / float(bytes)


def roofline_time(flops, bytes, peak_flops, bandwidth):
    compute, memory = flops / peak_flops, bytes / bandwidth
    return float(compute if compute >= memory else memory)


def decode_step_cost(config, context):
    c = config
    products = []  # (m, k) @ (k, n) as (m, n, k)
    for _ in range(c.n_layers):
        products += [(1, c.n_heads * c.head_dim, c.d_model), (1, c.n_kv_heads * c.head_dim, c.d_model),
                     (1, c.n_kv_heads * c.head_dim, c.d_model), (1, c.d_model, c.n_heads * c.head_dim),
                     (1, c.d_ff, c.d_model), (1, c.d_model, c.d_ff)]
        products += [(1, context, c.head_dim), (1, c.head_dim, context)] * c.n_heads
    products.append((1, c.vocab, c.d_model))
    flops = sum(matmul_flops(*p) for p in products)
    weights = [(c.d_model, c.n_heads * c.head_dim), (c.d_model, c.n_kv_heads * c.head_dim),
               (c.d_model, c.n_kv_heads * c.head_dim), (c.n_heads * c.head_dim, c.d_model),
               (c.d_model, c.d_ff), (c.d_ff, c.d_model)]
    elements = c.n_layers * sum(math.prod(w) for w in weights) + c.d_model * c.vocab
    cache = kv_cache_bytes(1, context, c.n_layers, c.n_heads, c.head_dim, n_kv_heads=c.n_kv_heads,
                           dtype_bytes=c.dtype_bytes, kind="gqa")
    return flops, elements * c.dtype_bytes + cache
