"""Heads split without a transpose: q.view(B, n_head, T, hd) reinterprets the (B, T, C) memory,
so a "head" gets a jumble of channels from several tokens instead of channels h*hd..(h+1)*hd of
every token. Shapes are right, values are not. Split the channel dim, then move the head dim
forward: q.view(B, T, n_head, hd).transpose(1, 2) (and back with transpose(1, 2).reshape(B, T, C))."""

import math

import torch
import torch.nn as nn

from solutions.transformer.gpt2 import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.gpt2 import GPT2 as _GPT2


class _WrongHeads(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.n_head = config.n_head
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd)

    def forward(self, x):
        B, T, C = x.shape
        H = self.n_head
        q, k, v = self.c_attn(x).split(C, dim=-1)
        q, k, v = (t.reshape(B, H, T, C // H) for t in (q, k, v))  # wrong: no transpose
        scores = q @ k.transpose(-2, -1) / math.sqrt(C // H)
        causal = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
        y = scores.masked_fill(~causal, float("-inf")).softmax(dim=-1) @ v
        return self.c_proj(y.reshape(B, T, C))


class GPT2(_GPT2):
    def __init__(self, config):
        super().__init__(config)
        for block in self.transformer.h:
            block.attn = _WrongHeads(config)
