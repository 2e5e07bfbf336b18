"""RMSNorm keeps its scale with register_buffer instead of as an nn.Parameter ("it starts at
ones and is loaded from the checkpoint"): the state_dict keys match DeepSeek's, so loading and
the forward are right, but module.parameters() lacks q_a_layernorm.weight and
kv_a_layernorm.weight, so an optimizer never trains them.

Fix: self.weight = nn.Parameter(torch.ones(dim)).
"""

import torch
from torch import nn

from solutions.mla import components as _sol
from solutions.mla.components import *  # noqa: F401,F403 (the rest is correct)


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        self.eps = eps
        self.register_buffer("weight", torch.ones(dim))  # wrong: a buffer is never trained

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class MLAProjections(_sol.MLAProjections):
    def __init__(self, config):
        super().__init__(config)
        if config.q_lora_rank:
            self.q_a_layernorm = RMSNorm(config.q_lora_rank, eps=config.rms_norm_eps)
        self.kv_a_layernorm = RMSNorm(self.kv_lora_rank, eps=config.rms_norm_eps)
