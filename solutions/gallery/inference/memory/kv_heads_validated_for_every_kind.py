"""Checks `n_heads % n_kv_heads == 0` whenever n_kv_heads is given, whatever the kind: for
kind="mha" or "mqa" the contract says n_kv_heads is ignored, so a caller who passes a model
config's n_kv_heads along with kind="mha" gets a ValueError instead of the MHA size.

Fix: look at n_kv_heads (and validate it, if you like) only for kind="gqa", where it is used."""

from solutions.inference.memory import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.memory import kv_cache_bytes as _correct


def kv_cache_bytes(batch, seq_len, n_layers, n_heads, head_dim, n_kv_heads=None, dtype_bytes=2, kind="mha",
                   kv_lora_rank=None, qk_rope_head_dim=None):
    if n_kv_heads is not None and n_heads % n_kv_heads:  # wrong: also for kinds that ignore n_kv_heads
        raise ValueError(f"n_heads={n_heads} is not a multiple of n_kv_heads={n_kv_heads}")
    return _correct(batch, seq_len, n_layers, n_heads, head_dim, n_kv_heads, dtype_bytes, kind,
                    kv_lora_rank, qk_rope_head_dim)
