"""Builds the causal mask as a float bias with torch.full((T, T), -inf).triu(1) and no dtype=:
the mask follows torch.get_default_dtype(). Under torch.set_default_dtype(torch.float64) a
float32 model's scores become float64 when the mask is added, and weights @ v (float64 @
float32) raises "expected scalar type Double but found Float".

Fix: a bool mask (torch.ones(T, T, dtype=torch.bool, device=x.device).tril() with
masked_fill), or torch.full(..., dtype=x.dtype, device=x.device)."""

import math

import torch

from solutions.transformer.gpt2 import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.gpt2 import GPT2 as _GPT2, CausalSelfAttention as _Correct


class CausalSelfAttention(_Correct):
    def forward(self, x):
        B, T, C = x.shape
        H = self.n_head
        q, k, v = self.c_attn(x).split(C, dim=-1)
        q, k, v = (t.view(B, T, H, C // H).transpose(1, 2) for t in (q, k, v))
        scores = q @ k.transpose(-2, -1) / math.sqrt(C // H)
        mask = torch.full((T, T), float("-inf"), device=x.device).triu(1)  # wrong: no dtype=
        weights = (scores + mask).softmax(dim=-1)
        y = self.attn_dropout(weights) @ v
        return self.resid_dropout(self.c_proj(y.transpose(1, 2).reshape(B, T, C)))


class GPT2(_GPT2):
    def __init__(self, config):
        super().__init__(config)
        for block in self.transformer.h:
            block.attn = CausalSelfAttention(config)
