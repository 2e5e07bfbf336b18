"""Cache counted per head: the latent c_kv and the rope key are computed ONCE per token and
shared by every head (the rope key comes from kv_a_proj_with_mqa, "with MQA": one key for all
heads, like multi-query attention). Multiplying by num_attention_heads makes MLA's cache 128x
too big for DeepSeek-V3 (73,728 elements per token per layer instead of 576). Fix: layers *
batch * tokens * (kv_lora_rank + qk_rope_head_dim) * bytes, with no head count."""

from typing import Mapping

from solutions.mla.latent import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.latent import mla_cache_elements


def mla_cache_bytes(config: Mapping[str, int], seq_len: int, batch_size: int = 1,
                    bytes_per_element: int = 2) -> int:
    per_token = mla_cache_elements(config["kv_lora_rank"], config["qk_rope_head_dim"])
    per_token *= config["num_attention_heads"]  # wrong: the latent is shared by all heads
    return config["num_hidden_layers"] * batch_size * seq_len * per_token * bytes_per_element
