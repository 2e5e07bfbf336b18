"""The RoPE tables registered as ordinary (persistent) buffers: they land in the state_dict as
model.rope_cos and model.rope_sin, which Hugging Face's LlamaForCausalLM checkpoint does not
have, so load_state_dict(strict=True) fails on "missing keys" (and a saved checkpoint carries
tables anyone can recompute).

Fix: register_buffer(name, table, persistent=False): it still moves with .to(device).
"""

from solutions.deepseek import math as _sol
from solutions.deepseek.math import *  # noqa: F401,F403 (the rest is correct)


class DeepSeekMathModel(_sol.DeepSeekMathModel):
    def __init__(self, config):
        super().__init__(config)
        cos, sin = self.rope_cos, self.rope_sin
        del self.rope_cos, self.rope_sin
        self.register_buffer("rope_cos", cos)  # wrong: persistent, in the state_dict
        self.register_buffer("rope_sin", sin)


class DeepSeekMathForCausalLM(_sol.DeepSeekMathForCausalLM):
    def __init__(self, config):
        super().__init__(config)
        self.model = DeepSeekMathModel(config)
