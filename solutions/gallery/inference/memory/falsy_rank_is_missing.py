"""Checks MLA's arguments with `if not kv_lora_rank or qk_rope_head_dim is None`: the rope
dim is tested for None as the contract says, but the rank by truthiness, so an explicit
kv_lora_rank=0 (only the rope key cached) is refused as if it were missing. Only None is
missing; test both with `is None`."""

from solutions.inference.memory import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.memory import kv_cache_bytes as _correct


def kv_cache_bytes(batch, seq_len, n_layers, n_heads, head_dim, n_kv_heads=None, dtype_bytes=2, kind="mha",
                   kv_lora_rank=None, qk_rope_head_dim=None):
    if kind == "mla" and (not kv_lora_rank or qk_rope_head_dim is None):  # wrong: 0 reads as missing
        raise ValueError(f"kind='mla' needs kv_lora_rank and qk_rope_head_dim (got kv_lora_rank="
                         f"{kv_lora_rank}, qk_rope_head_dim={qk_rope_head_dim})")
    return _correct(batch, seq_len, n_layers, n_heads, head_dim, n_kv_heads, dtype_bytes, kind, kv_lora_rank,
                    qk_rope_head_dim)
