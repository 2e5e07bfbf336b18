"""RoPE written inline (a * cos - b * sin, b * cos + a * sin) with cos and sin used in THEIR
dtype: float64 tables on a float32 Attention promote the rotated q and k to float64, and the
attention then mixes float64 queries and keys with float32 values (an error, or a float64
result). The contract takes cos and sin in any float dtype and uses them in x's dtype, as
apply_rope does.

Fix: cos, sin = cos.to(x.dtype), sin.to(x.dtype) before rotating (or call apply_rope).
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
        c, s = cos[:, None], sin[:, None]  # (B, 1, T, D/2); wrong: not cast to x's dtype
        q = torch.cat([q[..., :D // 2] * c - q[..., D // 2:] * s, q[..., D // 2:] * c + q[..., :D // 2] * s], dim=-1)
        k = torch.cat([k[..., :D // 2] * c - k[..., D // 2:] * s, k[..., D // 2:] * c + k[..., :D // 2] * s], dim=-1)
        if cache is not None:
            k, v = cache.update(k, v)
        S = k.shape[2]
        mask = torch.ones(T, S, dtype=torch.bool, device=x.device).tril(diagonal=S - T)
        out = scaled_dot_product_attention(q.reshape(B, Hkv, G * T, D), k, v, attn_mask=mask.repeat(G, 1))
        out = out.reshape(B, H, T, D).transpose(1, 2).reshape(B, T, H * D)
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
