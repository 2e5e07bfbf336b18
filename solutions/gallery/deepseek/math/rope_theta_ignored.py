"""The RoPE tables built with rope_cache(head_dim, max_position_embeddings): RoPE's default base
10000 instead of config.rope_theta. DeepSeekMath-7B uses 10000 itself, so its logits would come
out right; any model with another theta (Llama 3's 500000, Code Llama's 1000000, the fixture's
500) rotates every query and key at the wrong frequencies.

Fix: rope_cache(head_dim, max_position_embeddings, base=config.rope_theta).
"""

from katas.positional.rope import rope_cache
from solutions.deepseek import math as _sol
from solutions.deepseek.math import *  # noqa: F401,F403 (the rest is correct)


class DeepSeekMathModel(_sol.DeepSeekMathModel):
    def __init__(self, config):
        super().__init__(config)
        head_dim = config.hidden_size // config.num_attention_heads
        cos, sin = rope_cache(head_dim, config.max_position_embeddings)  # wrong: base=config.rope_theta
        self.register_buffer("rope_cos", cos, persistent=False)
        self.register_buffer("rope_sin", sin, persistent=False)


class DeepSeekMathForCausalLM(_sol.DeepSeekMathForCausalLM):
    def __init__(self, config):
        super().__init__(config)
        self.model = DeepSeekMathModel(config)
