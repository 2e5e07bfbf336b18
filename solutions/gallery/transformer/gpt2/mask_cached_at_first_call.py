"""The causal mask cached lazily in a plain attribute: the first forward builds it on that
call's device (device=x.device, correct then) and later calls reuse it. Plain attributes do
not move with model.to(...), so after a first call on the CPU and model.to("cuda") every
attention meets a CPU mask and fails.

Fix: build the mask in every forward on x's device, or keep it as a registered buffer
(register_buffer(..., persistent=False)), which moves with the model."""

import math

import torch

from solutions.transformer.gpt2 import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.gpt2 import GPT2 as _GPT2, CausalSelfAttention as _Attention


class CausalSelfAttention(_Attention):
    def forward(self, x):
        B, T, C = x.shape
        H = self.n_head
        q, k, v = self.c_attn(x).split(C, dim=-1)
        q, k, v = (t.view(B, T, H, C // H).transpose(1, 2) for t in (q, k, v))
        scores = q @ k.transpose(-2, -1) / math.sqrt(C // H)
        if getattr(self, "_causal", None) is None or self._causal.shape[0] < T:  # wrong: kept on the first call's device
            self._causal = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
        weights = scores.masked_fill(~self._causal[:T, :T], float("-inf")).softmax(dim=-1)
        y = self.attn_dropout(weights) @ v
        return self.resid_dropout(self.c_proj(y.transpose(1, 2).reshape(B, T, C)))


class GPT2(_GPT2):
    def __init__(self, config):
        super().__init__(config)
        for block in self.transformer.h:
            block.attn = CausalSelfAttention(config)
