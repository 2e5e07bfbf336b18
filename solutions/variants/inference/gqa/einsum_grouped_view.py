"""Correct variant: einsum over a (B, Hkv, G, L, D) view of q, an additive float causal mask, a hand-written stable softmax; the module projects with F.linear."""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def grouped_query_attention(q, k, v, is_causal=False):
    B, Hq, L, D = q.shape
    Hkv, S = k.shape[1], k.shape[2]
    if Hq % Hkv:
        raise ValueError(f"{Hq} query heads cannot be grouped over {Hkv} kv heads")
    G = Hq // Hkv
    qg = q.reshape(B, Hkv, G, L, D)
    s = torch.einsum("bjgld,bjsd->bjgls", qg, k) * D ** -0.5
    if is_causal:
        i = torch.arange(L, device=q.device)[:, None]
        j = torch.arange(S, device=q.device)[None, :]
        s = s + torch.zeros(L, S, dtype=q.dtype, device=q.device).masked_fill(j > i, -math.inf)
    s = s - s.amax(dim=-1, keepdim=True)
    w = s.exp()
    w = w / w.sum(dim=-1, keepdim=True)
    out = torch.einsum("bjgls,bjse->bjgle", w, v)
    return out.reshape(B, Hq, L, v.shape[-1])


class GroupedQueryAttention(nn.Module):
    def __init__(self, d_model, n_heads, n_kv_heads):
        super().__init__()
        self.nh, self.nkv, self.hd = n_heads, n_kv_heads, d_model // n_heads
        self.q_proj = nn.Linear(d_model, n_heads * self.hd, bias=False)
        self.k_proj = nn.Linear(d_model, n_kv_heads * self.hd, bias=False)
        self.v_proj = nn.Linear(d_model, n_kv_heads * self.hd, bias=False)
        self.o_proj = nn.Linear(n_heads * self.hd, d_model, bias=False)

    def forward(self, x, is_causal=True):
        B, T, _ = x.shape
        split = lambda t, h: t.reshape(B, T, h, self.hd).permute(0, 2, 1, 3)
        q = split(F.linear(x, self.q_proj.weight), self.nh)
        k = split(F.linear(x, self.k_proj.weight), self.nkv)
        v = split(F.linear(x, self.v_proj.weight), self.nkv)
        out = grouped_query_attention(q, k, v, is_causal)
        return F.linear(out.permute(0, 2, 1, 3).reshape(B, T, -1), self.o_proj.weight)
