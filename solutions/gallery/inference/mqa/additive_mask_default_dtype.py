"""The prefill's causal mask made additive with torch.full((T, S), float('-inf')).triu(1) without
dtype=: it follows torch's default dtype, so with the default set to float64 a float32 model's
scores are promoted and the float64 weights then meet float32 values in a matmul.
"""

import math

import torch
import torch.nn as nn

from katas.inference.gqa import grouped_query_attention


class MQACache:
    """Preallocated keys and values of one MQA layer: (batch, 1, max_len, head_dim) each."""

    def __init__(self, batch: int, max_len: int, head_dim: int, dtype: torch.dtype = torch.float32,
                 device: torch.device | str | None = None):
        self.k = torch.zeros(batch, 1, max_len, head_dim, dtype=dtype, device=device)
        self.v = torch.zeros(batch, 1, max_len, head_dim, dtype=dtype, device=device)
        self.length = 0

    def update(self, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Write k, v (B, 1, T, hd) at positions length..length+T-1; return every key and value so far."""
        B, _, _, hd = self.k.shape
        for name, t in (("k", k), ("v", v)):
            if t.dim() != 4 or (t.shape[0], t.shape[1], t.shape[3]) != (B, 1, hd) or t.shape[2] != k.shape[2]:
                raise ValueError(f"{name} has shape {tuple(t.shape)}; this cache expects ({B}, 1, T, {hd})")
        start, end = self.length, self.length + k.shape[2]
        if end > self.k.shape[2]:
            raise ValueError(f"the cache holds {self.k.shape[2]} positions; {end} were asked for")
        self.k[:, :, start:end] = k
        self.v[:, :, start:end] = v
        self.length = end
        return self.k[:, :, :end], self.v[:, :, :end]


class MultiQueryAttention(nn.Module):
    """Causal self-attention with n_heads query heads and one shared key/value head."""

    def __init__(self, d_model: int, n_heads: int):
        super().__init__()
        if d_model % n_heads != 0:
            raise ValueError("d_model must be divisible by n_heads")
        self.n_heads, self.head_dim = n_heads, d_model // n_heads
        self.q_proj = nn.Linear(d_model, d_model, bias=False)
        self.k_proj = nn.Linear(d_model, self.head_dim, bias=False)  # one key head
        self.v_proj = nn.Linear(d_model, self.head_dim, bias=False)  # one value head
        self.o_proj = nn.Linear(d_model, d_model, bias=False)

    def forward(self, x: torch.Tensor, cache: MQACache | None = None) -> torch.Tensor:
        """(B, T, d_model) -> (B, T, d_model); with a cache, x holds the tokens after the cached ones."""
        B, T, C = x.shape
        q = self.q_proj(x).view(B, T, self.n_heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).unsqueeze(1)  # (B, 1, T, hd)
        v = self.v_proj(x).unsqueeze(1)
        start = 0
        if cache is not None:
            start = cache.length
            k, v = cache.update(k, v)
        if start > 0 and T > 1:
            raise ValueError("after a prefill, decode one token per call")
        # a prefill (start 0) is plain causal attention; a single new token sees every key
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim)  # (B, H, T, S): k broadcast over heads
        if T > 1:
            S = k.shape[2]
            scores = scores + torch.full((T, S), float("-inf"), device=x.device).triu(1)  # default dtype
        out = torch.softmax(scores, dim=-1) @ v
        return self.o_proj(out.transpose(1, 2).reshape(B, T, C))
