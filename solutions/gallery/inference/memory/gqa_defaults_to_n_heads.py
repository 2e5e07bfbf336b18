"""kind="gqa" without n_kv_heads quietly uses n_heads (n_kv_heads = n_kv_heads or n_heads), and
kind="mla" without its ranks quietly counts 0 for them. The call then answers for another
model (plain MHA, or an empty latent) instead of telling the caller an argument is missing.

Fix: raise ValueError naming the missing argument: n_kv_heads for "gqa", kv_lora_rank and
qk_rope_head_dim for "mla"."""

from solutions.inference.memory import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.memory import kv_cache_bytes as _correct


def kv_cache_bytes(batch, seq_len, n_layers, n_heads, head_dim, n_kv_heads=None, dtype_bytes=2, kind="mha",
                   kv_lora_rank=None, qk_rope_head_dim=None):
    if kind == "gqa" and n_kv_heads is None:
        n_kv_heads = n_heads
    if kind == "mla":
        kv_lora_rank, qk_rope_head_dim = kv_lora_rank or 0, qk_rope_head_dim or 0
    return _correct(batch, seq_len, n_layers, n_heads, head_dim, n_kv_heads, dtype_bytes, kind,
                    kv_lora_rank, qk_rope_head_dim)
