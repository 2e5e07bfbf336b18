"""Drops the attention SCORES before the softmax (weights = softmax(mask(dropout(scores))))
instead of the attention weights after it. The softmax renormalises what the dropout did: a
dropped score becomes 0 (a weight of exp(0) relative to the others, not a removed key), each
row still sums to 1, and a token that sees only itself keeps its weight at exactly 1. That is
not the regulariser GPT-2 was trained with, and the model's training behaviour changes.

Fix: weights = dropout(softmax(masked scores)), then weights @ v (or
F.scaled_dot_product_attention(..., dropout_p=p if self.training else 0.0))."""

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
        scores = self.attn_dropout(q @ k.transpose(-2, -1) / math.sqrt(C // H))  # wrong: before the softmax
        causal = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
        weights = scores.masked_fill(~causal, float("-inf")).softmax(dim=-1)
        return self.resid_dropout(self.c_proj((weights @ v).transpose(1, 2).reshape(B, T, C)))


class GPT2(_GPT2):
    def __init__(self, config):
        super().__init__(config)
        for block in self.transformer.h:
            block.attn = CausalSelfAttention(config)
