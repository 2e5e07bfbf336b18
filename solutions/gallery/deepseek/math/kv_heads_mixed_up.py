"""num_attention_heads where num_key_value_heads belongs: k_proj and v_proj built with
num_attention_heads * head_dim rows, every query head with its own K and V. For
DeepSeekMath-7B (32 heads, 32 KV heads) that is right, so the 7B count and an MHA checkpoint
load fine; a grouped-query checkpoint (fewer KV heads, e.g. 4 heads and 2 KV heads) does not
load, and count_parameters agrees with the wrong model.

Fix: k_proj, v_proj = Linear(hidden_size, num_key_value_heads * head_dim); query head h reads
KV head h // (num_attention_heads // num_key_value_heads).
"""

from torch import nn

from solutions.deepseek import math as _sol
from solutions.deepseek.math import *  # noqa: F401,F403 (the rest is correct)
from katas.inference.kv_cache import KVCache


def count_parameters(config):
    d, n = config.hidden_size, config.num_attention_heads
    head_dim = d // n
    attention = 4 * d * n * head_dim                      # wrong: K and V with n heads
    layer = attention + 3 * d * config.intermediate_size + 2 * d
    return 2 * config.vocab_size * d + config.num_hidden_layers * layer + d


class Attention(_sol.Attention):
    def __init__(self, config):
        super().__init__(config)
        self.num_kv_heads = config.num_attention_heads    # wrong: num_key_value_heads
        d = config.hidden_size
        self.k_proj = nn.Linear(d, self.num_kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(d, self.num_kv_heads * self.head_dim, bias=False)


class DecoderLayer(_sol.DecoderLayer):
    def __init__(self, config):
        super().__init__(config)
        self.self_attn = Attention(config)


class DeepSeekMathModel(_sol.DeepSeekMathModel):
    def __init__(self, config):
        super().__init__(config)
        self.layers = nn.ModuleList(DecoderLayer(config) for _ in range(config.num_hidden_layers))


class DeepSeekMathForCausalLM(_sol.DeepSeekMathForCausalLM):
    def __init__(self, config):
        super().__init__(config)
        self.model = DeepSeekMathModel(config)

    def make_cache(self, batch_size, max_len):
        c, w = self.config, self.lm_head.weight
        return [KVCache(batch_size, c.num_attention_heads, max_len, c.hidden_size // c.num_attention_heads,
                        dtype=w.dtype, device=w.device) for _ in range(c.num_hidden_layers)]
