"""Assumes the attention width is d_model: sizes W_q and W_o as (d_model, d_model) and W_k, W_v
as (d_model, d_model * n_kv_heads / n_heads). That holds only when n_heads * head_dim ==
d_model, which many models break (Gemma 7B: 16 heads of 256 with d_model 3072; DeepSeek's
heads are wider than d_model / n_heads too).

Fix: size them with n_heads * head_dim and n_kv_heads * head_dim, the widths the projections
really have."""

from solutions.inference.memory import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.memory import kv_cache_bytes, matmul_flops


def decode_step_cost(config, context):
    c = config
    q_dim, kv_dim = c.d_model, c.d_model * c.n_kv_heads // c.n_heads  # wrong when n_heads * head_dim != d_model
    shapes = [(c.d_model, q_dim), (c.d_model, kv_dim), (c.d_model, kv_dim), (q_dim, c.d_model),
              (c.d_model, c.d_ff), (c.d_ff, c.d_model)]
    flops = c.n_layers * (sum(matmul_flops(1, n, k) for k, n in shapes)
                          + 2 * c.n_heads * matmul_flops(1, context, c.head_dim)) + matmul_flops(1, c.vocab, c.d_model)
    weights = c.n_layers * sum(k * n for k, n in shapes) + c.d_model * c.vocab
    cache = kv_cache_bytes(1, context, c.n_layers, c.n_heads, c.head_dim, c.n_kv_heads, c.dtype_bytes, "gqa")
    return flops, weights * c.dtype_bytes + cache
