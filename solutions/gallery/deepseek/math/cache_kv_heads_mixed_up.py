"""make_cache builds each KVCache with num_attention_heads heads where the keys and values have
num_key_value_heads: the model itself is right, and a full forward matches, but with fewer KV
heads than heads the first cache.update(k, v) rejects keys of the wrong head count (and a cache
that took them would hold G times the memory grouped-query attention is there to save).

Fix: KVCache(batch_size, config.num_key_value_heads, max_len, head_dim, ...).
"""

from katas.inference.kv_cache import KVCache
from solutions.deepseek import math as _sol
from solutions.deepseek.math import *  # noqa: F401,F403 (the rest is correct)


class DeepSeekMathForCausalLM(_sol.DeepSeekMathForCausalLM):
    def make_cache(self, batch_size, max_len):
        c, w = self.config, self.lm_head.weight
        head_dim = c.hidden_size // c.num_attention_heads
        return [KVCache(batch_size, c.num_attention_heads, max_len, head_dim,  # wrong: num_key_value_heads
                        dtype=w.dtype, device=w.device) for _ in range(c.num_hidden_layers)]
