"""Checks MLA's arguments with `if not kv_lora_rank or not qk_rope_head_dim: raise ValueError`.
None is refused as it should be, but so is an explicit qk_rope_head_dim=0: a latent cache
with no decoupled rope key is a valid configuration to size (kv_lora_rank elements per token
and layer), and 0 is a given value, not a missing one.

Fix: test for None (`kv_lora_rank is None or qk_rope_head_dim is None`); 0 and other falsy
values are numbers like any other."""

from solutions.inference.memory import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.memory import kv_cache_bytes as _correct


def kv_cache_bytes(batch, seq_len, n_layers, n_heads, head_dim, n_kv_heads=None, dtype_bytes=2, kind="mha",
                   kv_lora_rank=None, qk_rope_head_dim=None):
    if kind == "mla" and (not kv_lora_rank or not qk_rope_head_dim):  # wrong: 0 reads as missing
        raise ValueError(f"kind='mla' needs kv_lora_rank and qk_rope_head_dim (got kv_lora_rank="
                         f"{kv_lora_rank}, qk_rope_head_dim={qk_rope_head_dim})")
    return _correct(batch, seq_len, n_layers, n_heads, head_dim, n_kv_heads, dtype_bytes, kind, kv_lora_rank,
                    qk_rope_head_dim)
