"""The layer's own RMSNorm keeps its scale with register_buffer ("it is only loaded from the
checkpoint"): the state_dict keys match DeepSeek's, so loading and the forward are right, but
module.parameters() lacks input_layernorm.weight and post_attention_layernorm.weight, so an
optimizer never trains the norms.

Fix: self.weight = nn.Parameter(torch.ones(dim)) (or reuse katas.mla.components.RMSNorm).
"""

import torch
from torch import nn

from solutions.deepseek import block as _sol
from solutions.deepseek.block import *  # noqa: F401,F403 (the rest is correct)


class _RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.register_buffer("weight", torch.ones(dim))  # wrong: a buffer is never trained

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class DecoderLayer(_sol.DecoderLayer):
    def __init__(self, config, layer_idx):
        super().__init__(config, layer_idx)
        self.input_layernorm = _RMSNorm(config.hidden_size, config.rms_norm_eps)
        self.post_attention_layernorm = _RMSNorm(config.hidden_size, config.rms_norm_eps)
