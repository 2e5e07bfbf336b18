"""The naive decompressed cache mistaken for MLA's: after kv_b_proj expands the latent, every
head has a key of qk_nope_head_dim + qk_rope_head_dim and a value of v_head_dim. Caching those
(as Hugging Face's DeepSeek-V3 and DeepSeek's "naive" attn_impl do) costs
128 * (128 + 64) + 128 * 128 = 40,960 elements per token per layer for DeepSeek-V3: more than
MHA's 32,768. MLA's point is to cache the latent instead and expand (or absorb) it at
attention time. Fix: cache kv_lora_rank + qk_rope_head_dim per token per layer."""

from typing import Mapping

from solutions.mla.latent import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.latent import decompressed_cache_elements


def mla_cache_bytes(config: Mapping[str, int], seq_len: int, batch_size: int = 1,
                    bytes_per_element: int = 2) -> int:
    per_token = decompressed_cache_elements(config["num_attention_heads"], config["qk_nope_head_dim"],
                                            config["qk_rope_head_dim"], config["v_head_dim"])
    return config["num_hidden_layers"] * batch_size * seq_len * per_token * bytes_per_element
