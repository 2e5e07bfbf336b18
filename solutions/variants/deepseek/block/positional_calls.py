"""Submodules registered with add_module in a loop; self_attn called with positional arguments; residual sums via torch.add."""

import torch
from torch import nn

from katas.deepseek.moe import Expert, MoE
from katas.mla.attention import MultiHeadLatentAttention
from katas.mla.components import RMSNorm


class DecoderLayer(nn.Module):
    def __init__(self, config, layer_idx):
        super().__init__()
        for name in ("input_layernorm", "post_attention_layernorm"):
            self.add_module(name, RMSNorm(config.hidden_size, eps=config.rms_norm_eps))
        self.add_module("self_attn", MultiHeadLatentAttention(config))
        ffn = MoE(config) if layer_idx >= config.first_k_dense_replace else \
            Expert(config.hidden_size, config.intermediate_size)
        self.add_module("mlp", ffn)

    def forward(self, x, cache=None, start_pos=0):
        a = self.self_attn(self.input_layernorm(x), cache, start_pos)
        h = torch.add(x, a)
        return torch.add(h, self.mlp(self.post_attention_layernorm(h)))
