"""Builds the causal mask with torch.ones(T, T, dtype=torch.bool).tril() and no device=: the
mask lives on the default device (the CPU) whatever device the model runs on. Every CPU test
passes, but GPT2(config).cuda() fails at its first forward: CUDA scores, a CPU mask.

Fix: torch.ones(T, T, dtype=torch.bool, device=x.device).tril(), or a persistent=False
buffer made in __init__ (it moves with the model) sliced to [:T, :T]."""

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
        causal = torch.ones(T, T, dtype=torch.bool).tril()  # on the default device
        weights = scores.masked_fill(~causal, float("-inf")).softmax(dim=-1)
        y = self.attn_dropout(weights) @ v
        return self.resid_dropout(self.c_proj(y.transpose(1, 2).reshape(B, T, C)))


class GPT2(_GPT2):
    def __init__(self, config):
        super().__init__(config)
        for block in self.transformer.h:
            block.attn = CausalSelfAttention(config)
