"""Attention not causal: without the mask every token attends to the tokens after it too. The
model then reads the answer during training (the loss drops suspiciously fast) and its logits
at position t change when a later token changes, which cannot happen at generation time where
the later tokens do not exist yet. Mask the scores of keys j > t with -inf before the softmax
(torch.ones(T, T, dtype=torch.bool).tril(), or F.scaled_dot_product_attention(..., is_causal=True))."""

import math

import torch.nn as nn

from solutions.transformer.gpt2 import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.gpt2 import GPT2 as _GPT2


class _FullAttention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.n_head = config.n_head
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=-1)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        weights = (q @ k.transpose(-2, -1) / math.sqrt(C // self.n_head)).softmax(dim=-1)  # wrong: no mask
        return self.c_proj((weights @ v).transpose(1, 2).reshape(B, T, C))


class GPT2(_GPT2):
    def __init__(self, config):
        super().__init__(config)
        for block in self.transformer.h:
            block.attn = _FullAttention(config)
