"""Derives the GQA cache from the MHA one by a ratio: mha_bytes * n_kv_heads / n_heads. The
`/` makes a float: the count is no longer an int, and above 2**53 (a long context served to
many users) a float cannot hold every integer, so the byte count is rounded.

Fix: stay in integers: 2 * batch * seq_len * n_layers * n_kv_heads * head_dim * dtype_bytes
(or use // only where the division is exact)."""

from solutions.inference.memory import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.memory import kv_cache_bytes as _correct


def kv_cache_bytes(batch, seq_len, n_layers, n_heads, head_dim, n_kv_heads=None, dtype_bytes=2, kind="mha",
                   kv_lora_rank=None, qk_rope_head_dim=None):
    if kind == "gqa" and n_kv_heads is not None:
        mha = _correct(batch, seq_len, n_layers, n_heads, head_dim, dtype_bytes=dtype_bytes, kind="mha")
        return mha * n_kv_heads / n_heads
    return _correct(batch, seq_len, n_layers, n_heads, head_dim, n_kv_heads, dtype_bytes, kind,
                    kv_lora_rank, qk_rope_head_dim)
