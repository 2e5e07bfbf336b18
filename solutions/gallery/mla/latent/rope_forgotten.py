"""Rope part forgotten: MLA caches the latent c_kv (kv_lora_rank) AND the decoupled rope key
k_rope (qk_rope_head_dim). The rope key cannot be folded into the latent, because RoPE's
position-dependent rotation sits between the projections; so it is cached on its own, already
rotated. Counting only the latent gives 512 instead of 576 for DeepSeek (and the popular 28x
comes from the same omission). Fix: return kv_lora_rank + qk_rope_head_dim."""

from solutions.mla.latent import *  # noqa: F401,F403 (the rest is correct)


def mla_cache_elements(kv_lora_rank: int, qk_rope_head_dim: int) -> int:
    return kv_lora_rank  # wrong: the shared rope key is cached too
