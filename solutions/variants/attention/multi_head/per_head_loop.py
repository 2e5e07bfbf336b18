"""A Python loop over heads with per-head weight slices, and a hand-written max-shifted softmax."""

import math

import torch
import torch.nn as nn


class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads, bias=True):
        super().__init__()
        self.num_heads, self.head_dim = num_heads, embed_dim // num_heads
        self.in_proj_weight = nn.Parameter(torch.randn(3 * embed_dim, embed_dim) / embed_dim ** 0.5)
        if bias:
            self.in_proj_bias = nn.Parameter(torch.zeros(3 * embed_dim))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=bias)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True):
        B, L, E = query.shape
        S, H, D = key.shape[1], self.num_heads, self.head_dim
        heads, weights = [], []
        for h in range(H):
            rows = [slice(part * E + h * D, part * E + (h + 1) * D) for part in range(3)]
            def proj(x, r):
                y = x @ self.in_proj_weight[r].t()
                return y if self.in_proj_bias is None else y + self.in_proj_bias[r]
            qh, kh, vh = proj(query, rows[0]), proj(key, rows[1]), proj(value, rows[2])
            s = qh @ kh.transpose(1, 2) / math.sqrt(D)  # (B, L, S)
            if attn_mask is not None:
                m = attn_mask if attn_mask.dim() == 2 else attn_mask.reshape(B, H, L, S)[:, h]
                s = s.masked_fill(m, float("-inf")) if m.dtype == torch.bool else s + m
            if key_padding_mask is not None:
                m = key_padding_mask[:, None, :]
                s = s.masked_fill(m, float("-inf")) if m.dtype == torch.bool else s + m
            e = torch.exp(s - s.amax(-1, keepdim=True)) if S else s
            w = e / e.sum(-1, keepdim=True)
            weights.append(w)
            heads.append(w @ vh)
        out = self.out_proj(torch.cat(heads, dim=-1))
        if not need_weights:
            return out, None
        w = torch.stack(weights, dim=1)
        return out, w.mean(1) if average_attn_weights else w
