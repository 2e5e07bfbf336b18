"""The KV heads tiled instead of grouped: k.repeat(1, G, 1, 1) makes query head h read KV head
h % n_kv (0, 1, 0, 1 for 4 heads and 2 KV heads) where grouped-query attention reads
h // G (0, 0, 1, 1): consecutive query heads share a KV head. Plain multi-head attention
(n_kv = n, DeepSeekMath-7B's own case) and one KV head hide it.

Fix: head h reads KV head h // G (repeat_interleave, or fold the group into the query rows).
"""

import torch
from torch import nn

from katas.attention.sdpa import scaled_dot_product_attention
from solutions.deepseek import math as _sol
from solutions.deepseek.math import *  # noqa: F401,F403 (the rest is correct)


class Attention(_sol.Attention):
    def forward(self, x, cos, sin, cache=None):
        B, T, _ = x.shape
        H, Hkv, D = self.num_heads, self.num_kv_heads, self.head_dim
        G = H // Hkv
        q = self.q_proj(x).view(B, T, H, D).transpose(1, 2)
        k = self.k_proj(x).view(B, T, Hkv, D).transpose(1, 2)
        v = self.v_proj(x).view(B, T, Hkv, D).transpose(1, 2)
        q, k = _sol._rotate(q, cos, sin), _sol._rotate(k, cos, sin)
        if cache is not None:
            k, v = cache.update(k, v)
        S = k.shape[2]
        mask = torch.ones(T, S, dtype=torch.bool, device=x.device).tril(diagonal=S - T)
        k, v = k.repeat(1, G, 1, 1), v.repeat(1, G, 1, 1)  # wrong: head h reads KV head h % Hkv
        out = scaled_dot_product_attention(q, k, v, attn_mask=mask)
        out = out.transpose(1, 2).reshape(B, T, H * D)
        return self.o_proj(out)


class DecoderLayer(_sol.DecoderLayer):
    def __init__(self, config):
        super().__init__(config)
        self.self_attn = Attention(config)


class DeepSeekMathModel(_sol.DeepSeekMathModel):
    def __init__(self, config):
        super().__init__(config)
        self.layers = nn.ModuleList(DecoderLayer(config) for _ in range(config.num_hidden_layers))


class DeepSeekMathForCausalLM(_sol.DeepSeekMathForCausalLM):
    def __init__(self, config):
        super().__init__(config)
        self.model = DeepSeekMathModel(config)
