"""Sizes the MLA cache with a float factor: batch * seq_len * n_layers * (kv_lora_rank +
qk_rope_head_dim) * float(dtype_bytes), then int() of it. The MLA cache is the smallest of the
four, but a long context served to many users still passes 2**53 bytes-worth of elements,
and there the float has already rounded the count; int() keeps the error.

Fix: stay in integers: batch * seq_len * n_layers * (kv_lora_rank + qk_rope_head_dim) * dtype_bytes."""

from solutions.inference.memory import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.memory import kv_cache_bytes as _correct


def kv_cache_bytes(batch, seq_len, n_layers, n_heads, head_dim, n_kv_heads=None, dtype_bytes=2, kind="mha",
                   kv_lora_rank=None, qk_rope_head_dim=None):
    result = _correct(batch, seq_len, n_layers, n_heads, head_dim, n_kv_heads, dtype_bytes, kind,
                      kv_lora_rank, qk_rope_head_dim)  # validates
    if kind == "mla":
        return int(batch * seq_len * n_layers * (kv_lora_rank + qk_rope_head_dim) * float(dtype_bytes))  # wrong
    return result
