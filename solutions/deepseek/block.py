"""Day 31 — deepseek/block: reference solution."""

from typing import Optional

import torch
from torch import nn

from katas.deepseek.config import DeepSeekConfig
from katas.deepseek.moe import Expert, MoE
from katas.mla.attention import MLACache, MultiHeadLatentAttention
from katas.mla.components import RMSNorm


class DecoderLayer(nn.Module):
    """Pre-norm DeepSeek layer: x + MLA(norm(x)), then h + FFN(norm(h)); FFN dense or MoE."""

    def __init__(self, config: DeepSeekConfig, layer_idx: int):
        super().__init__()
        self.layer_idx = layer_idx
        self.input_layernorm = RMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        self.self_attn = MultiHeadLatentAttention(config)  # reads the same field names
        self.post_attention_layernorm = RMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        if layer_idx < config.first_k_dense_replace:       # layers 0 .. k-1: dense SwiGLU
            self.mlp = Expert(config.hidden_size, config.intermediate_size)
        else:                                              # layers k ..: mixture of experts
            self.mlp = MoE(config)

    def forward(self, x: torch.Tensor, cache: Optional[MLACache] = None, start_pos: int = 0) -> torch.Tensor:
        """x (B, T, hidden) at positions start_pos.. -> (B, T, hidden)."""
        h = x + self.self_attn(self.input_layernorm(x), cache=cache, start_pos=start_pos)
        return h + self.mlp(self.post_attention_layernorm(h))
