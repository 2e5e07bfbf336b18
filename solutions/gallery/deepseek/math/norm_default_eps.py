"""The RMSNorms built as RMSNorm(hidden_size), with RMSNorm's default eps instead of
config.rms_norm_eps. DeepSeekMath uses 1e-6, the default, so it looks harmless; a config with
another eps (Llama 2 uses 1e-5) normalises with the wrong one and the logits drift.

Fix: RMSNorm(hidden_size, eps=config.rms_norm_eps), in every layer and for the final norm.
"""

from katas.norms.rms_norm import RMSNorm
from torch import nn

from solutions.deepseek import math as _sol
from solutions.deepseek.math import *  # noqa: F401,F403 (the rest is correct)


class DecoderLayer(_sol.DecoderLayer):
    def __init__(self, config):
        super().__init__(config)
        self.input_layernorm = RMSNorm(config.hidden_size)           # wrong: eps not given
        self.post_attention_layernorm = RMSNorm(config.hidden_size)


class DeepSeekMathModel(_sol.DeepSeekMathModel):
    def __init__(self, config):
        super().__init__(config)
        self.layers = nn.ModuleList(DecoderLayer(config) for _ in range(config.num_hidden_layers))
        self.norm = RMSNorm(config.hidden_size)


class DeepSeekMathForCausalLM(_sol.DeepSeekMathForCausalLM):
    def __init__(self, config):
        super().__init__(config)
        self.model = DeepSeekMathModel(config)
