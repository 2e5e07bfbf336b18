"""Counts the attention of a decode step per kv head with the group size G = n_heads / n_kv_heads:
the true division makes G, and so the FLOPs, a float. The numbers match for the
models tried, but the contract promises a tuple of two exact ints.

Fix: use n_heads directly (each query head attends once), or G = n_heads // n_kv_heads where
the division is exact; keep every count an int."""

from solutions.inference.memory import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.memory import kv_cache_bytes, matmul_flops


def decode_step_cost(config, context):
    c = config
    G = c.n_heads / c.n_kv_heads
    q_dim, kv_dim = c.n_heads * c.head_dim, c.n_kv_heads * c.head_dim
    mats = [(c.d_model, q_dim), (c.d_model, kv_dim), (c.d_model, kv_dim), (q_dim, c.d_model),
            (c.d_model, c.d_ff), (c.d_ff, c.d_model)]
    weights = sum(matmul_flops(1, cols, rows) for rows, cols in mats)
    attention = c.n_kv_heads * G * 2 * matmul_flops(1, context, c.head_dim)
    flops = c.n_layers * (weights + attention) + matmul_flops(1, c.vocab, c.d_model)
    elements = c.n_layers * sum(r * k for r, k in mats) + c.d_model * c.vocab
    cache = c.n_layers * 2 * context * c.n_kv_heads * c.head_dim * c.dtype_bytes
    return flops, elements * c.dtype_bytes + cache
