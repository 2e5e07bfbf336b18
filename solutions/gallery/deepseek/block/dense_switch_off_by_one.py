"""Dense/MoE switch off by one: `layer_idx <= first_k_dense_replace` makes layers 0 .. k dense,
one layer too many (with DeepSeek-V3's k = 3, layer 3 gets a dense MLP where the checkpoint
holds 256 experts; with k = 0 layer 0 is still dense). first_k_dense_replace counts the dense
layers: layer i is dense exactly when i < first_k_dense_replace."""

from typing import Optional

import torch
from torch import nn

from katas.deepseek.moe import Expert, MoE
from katas.mla.attention import MLACache, MultiHeadLatentAttention
from katas.mla.components import RMSNorm
from solutions.deepseek.block import *  # noqa: F401,F403 (the rest is correct)


class DecoderLayer(nn.Module):
    def __init__(self, config, layer_idx: int):
        super().__init__()
        self.input_layernorm = RMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        self.self_attn = MultiHeadLatentAttention(config)
        self.post_attention_layernorm = RMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        if layer_idx <= config.first_k_dense_replace:
            self.mlp = Expert(config.hidden_size, config.intermediate_size)
        else:
            self.mlp = MoE(config)

    def forward(self, x: torch.Tensor, cache: Optional[MLACache] = None, start_pos: int = 0) -> torch.Tensor:
        h = x + self.self_attn(self.input_layernorm(x), cache=cache, start_pos=start_pos)
        return h + self.mlp(self.post_attention_layernorm(h))
