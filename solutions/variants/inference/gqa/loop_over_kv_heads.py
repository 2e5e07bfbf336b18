"""Correct variant: a Python loop over kv heads, each multiplying its G query heads (stacked as G*L rows) against its own K and V, joined with torch.stack."""

import math

import torch
import torch.nn as nn


def grouped_query_attention(q, k, v, is_causal=False):
    B, Hq, L, D = q.shape
    Hkv, S = k.shape[1], k.shape[2]
    if Hq % Hkv != 0 or Hq < Hkv:
        raise ValueError(f"Hq ({Hq}) must be a multiple of Hkv ({Hkv})")
    G = Hq // Hkv
    keep = torch.ones(L, S, dtype=torch.bool, device=q.device).tril() if is_causal else None
    groups = []
    for j in range(Hkv):
        rows = q[:, j * G:(j + 1) * G].reshape(B, G * L, D)           # the group's queries
        scores = torch.bmm(rows, k[:, j].transpose(1, 2)) / math.sqrt(D)  # (B, G*L, S)
        if keep is not None:
            scores = scores.reshape(B, G, L, S).masked_fill(~keep, float("-inf")).reshape(B, G * L, S)
        groups.append(torch.bmm(torch.softmax(scores, dim=-1), v[:, j]).reshape(B, G, L, -1))
    return torch.stack(groups, dim=1).reshape(B, Hq, L, v.shape[-1])


class GroupedQueryAttention(nn.Module):
    def __init__(self, d_model, n_heads, n_kv_heads):
        super().__init__()
        head_dim = d_model // n_heads
        self.heads = (n_heads, n_kv_heads, head_dim)
        self.q_proj = nn.Linear(d_model, n_heads * head_dim, bias=False)
        self.k_proj = nn.Linear(d_model, n_kv_heads * head_dim, bias=False)
        self.v_proj = nn.Linear(d_model, n_kv_heads * head_dim, bias=False)
        self.o_proj = nn.Linear(n_heads * head_dim, d_model, bias=False)

    def forward(self, x, is_causal=True):
        nh, nkv, hd = self.heads
        B, T, _ = x.shape
        q = self.q_proj(x).unflatten(-1, (nh, hd)).transpose(1, 2)
        k = self.k_proj(x).unflatten(-1, (nkv, hd)).transpose(1, 2)
        v = self.v_proj(x).unflatten(-1, (nkv, hd)).transpose(1, 2)
        out = grouped_query_attention(q, k, v, is_causal=is_causal)
        return self.o_proj(out.transpose(1, 2).flatten(2))
