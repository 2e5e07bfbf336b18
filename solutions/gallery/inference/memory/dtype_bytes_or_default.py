"""dtype_bytes = dtype_bytes or 2: an explicit dtype_bytes=0 reads as "not given" and is
counted as two-byte (BF16) elements, so a zero element size reports a full cache instead of 0
(the falsy-zero slip: only an omitted argument takes its default).

Fix: use dtype_bytes as it is (its default is already 2 in the signature).
"""

from solutions.inference import memory as _sol
from solutions.inference.memory import *  # noqa: F401,F403 (the rest is correct)


def kv_cache_bytes(batch, seq_len, n_layers, n_heads, head_dim, n_kv_heads=None, dtype_bytes=2, kind="mha",
                   kv_lora_rank=None, qk_rope_head_dim=None):
    dtype_bytes = dtype_bytes or 2  # wrong: an explicit 0 is a value
    return _sol.kv_cache_bytes(batch, seq_len, n_layers, n_heads, head_dim, n_kv_heads=n_kv_heads,
                               dtype_bytes=dtype_bytes, kind=kind, kv_lora_rank=kv_lora_rank,
                               qk_rope_head_dim=qk_rope_head_dim)
