"""Uses n_kv_heads whenever it is given, whatever the kind: heads = n_kv_heads or n_heads.
kind="mha" caches every one of the n_heads heads and kind="mqa" exactly one; n_kv_heads is
ignored for both (a config object often carries n_kv_heads for every model, so it IS given).
The MHA cache comes out n_heads / n_kv_heads times too small, which is GQA's saving counted
for a model that does not have it.

Fix: choose the number of cached heads from kind alone: n_heads for "mha", n_kv_heads for
"gqa", 1 for "mqa"."""

from solutions.inference.memory import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.memory import kv_cache_bytes as _correct


def kv_cache_bytes(batch, seq_len, n_layers, n_heads, head_dim, n_kv_heads=None, dtype_bytes=2, kind="mha",
                   kv_lora_rank=None, qk_rope_head_dim=None):
    if kind in ("mha", "gqa", "mqa"):
        heads = n_kv_heads or (1 if kind == "mqa" else n_heads)
        return 2 * batch * seq_len * n_layers * heads * head_dim * dtype_bytes
    return _correct(batch, seq_len, n_layers, n_heads, head_dim, n_kv_heads, dtype_bytes, kind,
                    kv_lora_rank, qk_rope_head_dim)
