"""The causal mask registered once as a 1024 x 1024 buffer (GPT-2 small's context) and sliced
per call: self.bias[:T, :T]. Right for GPT2Config(), but block_size is a config field: with
block_size = 1025 and T = 1025 the slice is still 1024 x 1024 and the masked_fill fails with
"The size of tensor a (1024) must match the size of tensor b (1025)".

Fix: size the buffer from config.block_size (nanoGPT's torch.tril(torch.ones(block_size,
block_size))), or build the mask for this call's T in forward."""

import math

import torch

from solutions.transformer.gpt2 import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.gpt2 import GPT2 as _GPT2, CausalSelfAttention as _Attention


class CausalSelfAttention(_Attention):
    def __init__(self, config):
        super().__init__(config)
        self.register_buffer("bias", torch.ones(1024, 1024, dtype=torch.bool).tril(), persistent=False)  # wrong: 1024

    def forward(self, x):
        B, T, C = x.shape
        H = self.n_head
        q, k, v = self.c_attn(x).split(C, dim=-1)
        q, k, v = (t.view(B, T, H, C // H).transpose(1, 2) for t in (q, k, v))
        scores = q @ k.transpose(-2, -1) / math.sqrt(C // H)
        weights = scores.masked_fill(~self.bias[:T, :T], float("-inf")).softmax(dim=-1)
        y = self.attn_dropout(weights) @ v
        return self.resid_dropout(self.c_proj(y.transpose(1, 2).reshape(B, T, C)))


class GPT2(_GPT2):
    def __init__(self, config):
        super().__init__(config)
        for block in self.transformer.h:
            block.attn = CausalSelfAttention(config)
