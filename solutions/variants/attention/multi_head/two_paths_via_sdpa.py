"""Two paths as torch has: need_weights=False goes through the sdpa kata (its bool masks mean
True = attend, so this module's masks are inverted on the way); need_weights=True computes
the weights itself. Masks combined into one allowed-mask or one float bias."""

import math

import torch
import torch.nn as nn

from solutions.attention.sdpa import scaled_dot_product_attention


class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads, bias=True):
        super().__init__()
        self.num_heads = num_heads
        self.in_proj_weight = nn.Parameter(torch.empty(3 * embed_dim, embed_dim))
        nn.init.xavier_uniform_(self.in_proj_weight)
        if bias:
            self.in_proj_bias = nn.Parameter(torch.zeros(3 * embed_dim))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=bias)

    def _heads(self, x, i):
        B, T, E = x.shape
        w = self.in_proj_weight[i * E:(i + 1) * E]
        y = x @ w.t()
        if self.in_proj_bias is not None:
            y = y + self.in_proj_bias[i * E:(i + 1) * E]
        return y.reshape(B, T, self.num_heads, E // self.num_heads).permute(0, 2, 1, 3)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True):
        B, L, E = query.shape
        S, H = key.shape[1], self.num_heads
        q, k, v = self._heads(query, 0), self._heads(key, 1), self._heads(value, 2)
        masks = []
        if attn_mask is not None:
            masks.append(attn_mask.reshape(B, H, L, S) if attn_mask.dim() == 3 else attn_mask)
        if key_padding_mask is not None:
            masks.append(key_padding_mask.reshape(B, 1, 1, S))
        combined = None
        for m in masks:
            if m.dtype == torch.bool:
                m = ~m  # True = attend, as scaled_dot_product_attention reads it
                combined = m if combined is None else combined & m
            else:
                combined = m if combined is None else combined + m
        if not need_weights:
            out = scaled_dot_product_attention(q, k, v, attn_mask=combined)
            return self.out_proj(out.transpose(1, 2).reshape(B, L, E)), None
        scores = q @ k.transpose(-1, -2) / math.sqrt(E // H)
        if combined is not None:
            scores = (scores.masked_fill(~combined, -math.inf) if combined.dtype == torch.bool
                      else scores + combined)
        weights = torch.softmax(scores, dim=-1)
        out = self.out_proj((weights @ v).transpose(1, 2).reshape(B, L, E))
        return out, (weights.mean(dim=1) if average_attn_weights else weights)
