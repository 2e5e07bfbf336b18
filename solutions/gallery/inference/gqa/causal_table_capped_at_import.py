"""Causal mask sliced from a tril table made once at import, _TRIL = torch.ones(1024, 1024).tril():
_TRIL[:L, :S] is too small once L or S passes 1024, and the broadcast fails.

Fix: build torch.ones(L, S, dtype=torch.bool, device=q.device).tril() at every call.
"""

import math

import torch
_TRIL = torch.ones(1024, 1024, dtype=torch.bool).tril()
import torch.nn as nn


def grouped_query_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                            is_causal: bool = False) -> torch.Tensor:
    """(B, Hq, L, D), (B, Hkv, S, D), (B, Hkv, S, Dv) -> (B, Hq, L, Dv); head h reads kv head h // G."""
    B, Hq, L, D = q.shape
    Hkv, S, Dv = k.shape[1], k.shape[2], v.shape[-1]
    if Hq % Hkv != 0:
        raise ValueError(f"the number of query heads ({Hq}) must be a multiple of the kv heads ({Hkv})")
    G = Hq // Hkv
    # query heads j*G .. j*G+G-1 share kv head j: stack their rows into one (G*L, D) matrix
    qg = q.reshape(B, Hkv, G * L, D)
    scores = qg @ k.transpose(-2, -1) / math.sqrt(D)  # (B, Hkv, G*L, S), K read once
    if is_causal:
        allowed = _TRIL[:L, :S].to(q.device)  # wrong: capped at 1024
        scores = scores.view(B, Hkv, G, L, S).masked_fill(~allowed, float("-inf"))
        scores = scores.view(B, Hkv, G * L, S)
    weights = torch.softmax(scores, dim=-1)
    out = weights @ v  # (B, Hkv, G*L, Dv), V read once
    return out.reshape(B, Hq, L, Dv)


class GroupedQueryAttention(nn.Module):
    """Self-attention with n_heads query heads sharing n_kv_heads key/value heads."""

    def __init__(self, d_model: int, n_heads: int, n_kv_heads: int):
        super().__init__()
        if d_model % n_heads != 0 or n_heads % n_kv_heads != 0:
            raise ValueError("d_model must be divisible by n_heads, n_heads by n_kv_heads")
        self.n_heads, self.n_kv_heads = n_heads, n_kv_heads
        self.head_dim = d_model // n_heads
        self.q_proj = nn.Linear(d_model, n_heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(d_model, n_kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(d_model, n_kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(n_heads * self.head_dim, d_model, bias=False)

    def forward(self, x: torch.Tensor, is_causal: bool = True) -> torch.Tensor:
        """(B, T, d_model) -> (B, T, d_model)."""
        B, T, _ = x.shape
        q = self.q_proj(x).view(B, T, self.n_heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(B, T, self.n_kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(B, T, self.n_kv_heads, self.head_dim).transpose(1, 2)
        out = grouped_query_attention(q, k, v, is_causal=is_causal)
        return self.o_proj(out.transpose(1, 2).reshape(B, T, self.n_heads * self.head_dim))
