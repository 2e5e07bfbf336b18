"""Forgets the values: counts one vector of head_dim per kv head per token and layer, i.e.
only the keys. Attention caches K AND V.

Fix: 2 * batch * seq_len * n_layers * kv_heads * head_dim * dtype_bytes. (MLA is different:
its latent serves both keys and values, so kv_lora_rank + qk_rope_head_dim has no factor 2.)"""

from solutions.inference.memory import *  # noqa: F401,F403 (the rest is correct)


def kv_cache_bytes(batch, seq_len, n_layers, n_heads, head_dim, n_kv_heads=None, dtype_bytes=2, kind="mha",
                   kv_lora_rank=None, qk_rope_head_dim=None):
    if kind == "mla":
        return batch * seq_len * n_layers * (kv_lora_rank + qk_rope_head_dim) * dtype_bytes
    heads = {"mha": n_heads, "gqa": n_kv_heads, "mqa": 1}[kind]
    return batch * seq_len * n_layers * heads * head_dim * dtype_bytes  # keys only
