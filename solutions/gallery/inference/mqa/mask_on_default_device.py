"""Writes its own attention and builds the causal mask with torch.ones(T, S, dtype=torch.bool)
on the default device. On a GPU model the mask sits on the CPU and masked_fill fails with a
device mismatch (the CPU tests never see it).

Fix: torch.ones(T, S, dtype=torch.bool, device=x.device) (every helper tensor on the input's
device)."""

import math

import torch

from solutions.inference.mqa import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.mqa import MultiQueryAttention as _Correct


class MultiQueryAttention(_Correct):
    def forward(self, x, cache=None):
        B, T, C = x.shape
        q = self.q_proj(x).view(B, T, self.n_heads, self.head_dim).transpose(1, 2)
        k, v = self.k_proj(x).unsqueeze(1), self.v_proj(x).unsqueeze(1)
        if cache is not None:
            k, v = cache.update(k, v)
        S = k.shape[2]
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim)  # (B, H, T, S)
        allowed = torch.ones(T, S, dtype=torch.bool).tril(diagonal=S - T)
        weights = torch.softmax(scores.masked_fill(~allowed, float("-inf")), dim=-1)
        return self.o_proj((weights @ v).transpose(1, 2).reshape(B, T, C))
