"""Residual sub-blocks written as two helper methods; the FFN chosen through a dict of builders, the norm built from the norms kata."""

from torch import nn

from katas.deepseek.moe import Expert, MoE
from katas.mla.attention import MLACache, MultiHeadLatentAttention  # noqa: F401
from solutions.norms.rms_norm import RMSNorm


class DecoderLayer(nn.Module):
    def __init__(self, config, layer_idx):
        super().__init__()
        dense = layer_idx < config.first_k_dense_replace
        builders = {True: lambda: Expert(config.hidden_size, config.intermediate_size),
                    False: lambda: MoE(config)}
        self.input_layernorm = RMSNorm(config.hidden_size, config.rms_norm_eps)
        self.self_attn = MultiHeadLatentAttention(config)
        self.post_attention_layernorm = RMSNorm(config.hidden_size, config.rms_norm_eps)
        self.mlp = builders[dense]()
        self.is_dense = dense

    def _attend(self, x, cache, start_pos):
        return self.self_attn(self.input_layernorm(x), cache=cache, start_pos=start_pos)

    def _ffn(self, h):
        return self.mlp(self.post_attention_layernorm(h))

    def forward(self, x, cache=None, start_pos=0):
        h = x + self._attend(x, cache, start_pos)
        return h + self._ffn(h)
