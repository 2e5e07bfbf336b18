"""The RMSNorms built with eps=config.rms_norm_eps or 1e-6: an explicit rms_norm_eps of 0.0 is
falsy and silently becomes 1e-6, which changes every output whose activations are small (at
size 1e-4, mean(x^2) ~ 1e-8 is swamped by the eps).

Fix: RMSNorm(hidden_size, eps=config.rms_norm_eps), as given, in every layer and for the final norm.
"""

from katas.norms.rms_norm import RMSNorm
from torch import nn

from solutions.deepseek import math as _sol
from solutions.deepseek.math import *  # noqa: F401,F403 (the rest is correct)


class DecoderLayer(_sol.DecoderLayer):
    def __init__(self, config):
        super().__init__(config)
        eps = config.rms_norm_eps or 1e-6  # wrong: 0.0 is a value
        self.input_layernorm = RMSNorm(config.hidden_size, eps=eps)
        self.post_attention_layernorm = RMSNorm(config.hidden_size, eps=eps)


class DeepSeekMathModel(_sol.DeepSeekMathModel):
    def __init__(self, config):
        super().__init__(config)
        self.layers = nn.ModuleList(DecoderLayer(config) for _ in range(config.num_hidden_layers))
        self.norm = RMSNorm(config.hidden_size, eps=config.rms_norm_eps or 1e-6)


class DeepSeekMathForCausalLM(_sol.DeepSeekMathForCausalLM):
    def __init__(self, config):
        super().__init__(config)
        self.model = DeepSeekMathModel(config)
