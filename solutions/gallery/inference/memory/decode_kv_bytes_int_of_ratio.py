"""The decode step sizes the K and V cache as int(2 * context * n_layers * n_heads * head_dim *
(n_kv_heads / n_heads) * dtype_bytes): int() makes the type right, but the ratio 11 / 99 is not
exact in a float, so the bytes of a large odd model come out rounded (or one short).

Fix: n_kv_heads * head_dim directly, all ints: 2 * context * n_layers * n_kv_heads * head_dim *
dtype_bytes."""

from solutions.inference.memory import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.memory import matmul_flops


def decode_step_cost(config, context):
    c = config
    q_dim, kv_dim = c.n_heads * c.head_dim, c.n_kv_heads * c.head_dim
    mats = [(c.d_model, q_dim), (c.d_model, kv_dim), (c.d_model, kv_dim), (q_dim, c.d_model),
            (c.d_model, c.d_ff), (c.d_ff, c.d_model)]
    weights = sum(matmul_flops(1, cols, rows) for rows, cols in mats)
    attention = c.n_heads * (matmul_flops(1, context, c.head_dim) + matmul_flops(1, c.head_dim, context))
    flops = c.n_layers * (weights + attention) + matmul_flops(1, c.vocab, c.d_model)
    elements = c.n_layers * sum(r * k for r, k in mats) + c.d_model * c.vocab
    cache = int(2 * context * c.n_layers * q_dim * (c.n_kv_heads / c.n_heads) * c.dtype_bytes)
    return flops, elements * c.dtype_bytes + cache
