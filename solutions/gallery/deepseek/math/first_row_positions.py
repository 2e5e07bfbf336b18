"""Every sequence rotated with the first sequence's table rows (cos[0], sin[0]): apply_rope(q, cos[0],
sin[0]) on the whole batch. With default positions all rows share them and nothing shows; with
per-row position_ids (left padding, packed batches) every row but the first is rotated at the
wrong positions.

Fix: rotate sequence b with its own rows, apply_rope(q[b], cos[b], sin[b]).
"""

import torch
from torch import nn

from katas.attention.sdpa import scaled_dot_product_attention
from katas.positional.rope import apply_rope
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
        q, k = apply_rope(q, cos[0], sin[0]), apply_rope(k, cos[0], sin[0])  # wrong: row 0's positions
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
