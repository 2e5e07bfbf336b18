"""RoPE in the interleaved-pairs convention of DeepSeek-V2/V3's MLA (channels 2i, 2i+1), the one
the previous katas used. DeepSeekMath is a Llama: Hugging Face's LlamaForCausalLM rotates
channel i with channel i + head_dim/2 (rotate_half). Weights trained with one convention give
wrong logits with the other.

Fix: apply_rope(..., interleaved=False), the default.
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
        q = torch.stack([apply_rope(q[b], cos[b], sin[b], interleaved=True) for b in range(B)])  # wrong
        k = torch.stack([apply_rope(k[b], cos[b], sin[b], interleaved=True) for b in range(B)])
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
