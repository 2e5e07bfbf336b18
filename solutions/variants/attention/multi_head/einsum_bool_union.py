"""einsum projections and head split by reshape/permute; masks merged into one bool 'hidden' plus one float bias."""

import math

import torch
import torch.nn as nn


class MultiHeadAttention(nn.Module):
    def __init__(self, embed_dim, num_heads, bias=True):
        super().__init__()
        if embed_dim % num_heads:
            raise ValueError(f"embed_dim {embed_dim} is not divisible by num_heads {num_heads}")
        self.E, self.H = embed_dim, num_heads
        self.in_proj_weight = nn.Parameter(nn.init.xavier_uniform_(torch.empty(3 * embed_dim, embed_dim)))
        self.register_parameter("in_proj_bias", nn.Parameter(torch.zeros(3 * embed_dim)) if bias else None)
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=bias)

    def _proj(self, x, i):
        E = self.E
        y = torch.einsum("bte,fe->btf", x, self.in_proj_weight[i * E:(i + 1) * E])
        if self.in_proj_bias is not None:
            y = y + self.in_proj_bias[i * E:(i + 1) * E]
        B, T = x.shape[0], x.shape[1]
        return y.reshape(B, T, self.H, E // self.H).permute(0, 2, 1, 3)

    def forward(self, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
                average_attn_weights=True):
        B, L, E = query.shape
        S, H = key.shape[1], self.H
        q, k, v = self._proj(query, 0), self._proj(key, 1), self._proj(value, 2)
        s = torch.einsum("bhld,bhsd->bhls", q, k) * (1.0 / math.sqrt(E // H))
        for m in (attn_mask, key_padding_mask):
            if m is None:
                continue
            m = m.reshape(B, H, L, S) if m.dim() == 3 else (m.reshape(B, 1, 1, S) if m is key_padding_mask else m)
            s = s.masked_fill(m, -math.inf) if m.dtype == torch.bool else s + m
        w = torch.softmax(s, dim=-1)
        o = torch.einsum("bhls,bhsd->blhd", w, v).reshape(B, L, E)
        o = self.out_proj(o)
        if not need_weights:
            return o, None
        return o, (w.sum(1) / H if average_attn_weights else w)
