"""The SwiGLU with the activation on the wrong branch: down_proj(gate_proj(x) * silu(up_proj(x))).
The names match Llama's, the checkpoint loads, and the outputs are wrong: gate_proj is the
gate, silu(gate_proj(x)) multiplies the linear up_proj(x).

Fix: down_proj(silu(gate_proj(x)) * up_proj(x)), deepseek/moe's Expert.
"""

import torch.nn.functional as F
from torch import nn

from katas.deepseek.moe import Expert
from solutions.deepseek import math as _sol
from solutions.deepseek.math import *  # noqa: F401,F403 (the rest is correct)


class SwappedExpert(Expert):
    def forward(self, x):
        return self.down_proj(self.gate_proj(x) * F.silu(self.up_proj(x)))  # wrong branch


class DecoderLayer(_sol.DecoderLayer):
    def __init__(self, config):
        super().__init__(config)
        self.mlp = SwappedExpert(config.hidden_size, config.intermediate_size)


class DeepSeekMathModel(_sol.DeepSeekMathModel):
    def __init__(self, config):
        super().__init__(config)
        self.layers = nn.ModuleList(DecoderLayer(config) for _ in range(config.num_hidden_layers))


class DeepSeekMathForCausalLM(_sol.DeepSeekMathForCausalLM):
    def __init__(self, config):
        super().__init__(config)
        self.model = DeepSeekMathModel(config)
