"""Post-norm wiring, the original Transformer's: h = norm(x + attn(x)), out = norm(h + mlp(h)).
Llama (and DeepSeekMath) is pre-norm: only the sublayer's input is normalised and the residual
stream carries x itself.

Fix: h = x + self_attn(input_layernorm(x), ...); return h + mlp(post_attention_layernorm(h)).
"""

from torch import nn

from solutions.deepseek import math as _sol
from solutions.deepseek.math import *  # noqa: F401,F403 (the rest is correct)


class DecoderLayer(_sol.DecoderLayer):
    def forward(self, x, cos, sin, cache=None):
        h = self.input_layernorm(x + self.self_attn(x, cos, sin, cache))  # wrong: post-norm
        return self.post_attention_layernorm(h + self.mlp(h))


class DeepSeekMathModel(_sol.DeepSeekMathModel):
    def __init__(self, config):
        super().__init__(config)
        self.layers = nn.ModuleList(DecoderLayer(config) for _ in range(config.num_hidden_layers))


class DeepSeekMathForCausalLM(_sol.DeepSeekMathForCausalLM):
    def __init__(self, config):
        super().__init__(config)
        self.model = DeepSeekMathModel(config)
