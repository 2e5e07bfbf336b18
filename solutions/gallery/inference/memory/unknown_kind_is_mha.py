"""Falls back to MHA for any kind it does not recognise: an if / elif chain whose final else
computes the multi-head cache. A typo ("GQA", "gqa ", "mla2") then returns a plausible but
wrong number instead of an error, and a capacity plan built on it is off by n_heads / n_kv_heads.

Fix: accept exactly "mha", "gqa", "mqa" and "mla" and raise ValueError(f"unknown kind {kind!r}")
for anything else."""

from solutions.inference.memory import *  # noqa: F401,F403 (the rest is correct)


def kv_cache_bytes(batch, seq_len, n_layers, n_heads, head_dim, n_kv_heads=None, dtype_bytes=2, kind="mha",
                   kv_lora_rank=None, qk_rope_head_dim=None):
    per_token = batch * seq_len * n_layers * dtype_bytes
    if kind == "gqa":
        if n_kv_heads is None:
            raise ValueError("kind='gqa' needs n_kv_heads")
        return per_token * 2 * n_kv_heads * head_dim
    elif kind == "mqa":
        return per_token * 2 * head_dim
    elif kind == "mla":
        if kv_lora_rank is None or qk_rope_head_dim is None:
            raise ValueError("kind='mla' needs kv_lora_rank and qk_rope_head_dim")
        return per_token * (kv_lora_rank + qk_rope_head_dim)
    else:
        return per_token * 2 * n_heads * head_dim
