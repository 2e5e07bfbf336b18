"""make_cache builds every KVCache in its default dtype, float32, whatever the model's dtype: a
float64 model (model.double()) writes its keys and values into float32 buffers, and every
decoded token loses precision against the full forward.

Fix: KVCache(..., dtype=w.dtype, device=w.device), w a weight of the model.
"""

from katas.inference.kv_cache import KVCache
from solutions.deepseek import math as _sol
from solutions.deepseek.math import *  # noqa: F401,F403 (the rest is correct)


class DeepSeekMathForCausalLM(_sol.DeepSeekMathForCausalLM):
    def make_cache(self, batch_size, max_len):
        c = self.config
        head_dim = c.hidden_size // c.num_attention_heads
        return [KVCache(batch_size, c.num_key_value_heads, max_len, head_dim,  # wrong: no dtype=
                        device=self.lm_head.weight.device) for _ in range(c.num_hidden_layers)]
