"""Builds the positions with torch.arange(T) and no device=: they live on the CPU whatever
device idx is on. On the CPU every logit is right; on a GPU the position lookup
wpe(torch.arange(T)) mixes a CUDA table with CPU indices and fails at the first forward.

Fix: pos = torch.arange(T, device=idx.device) (or slice the table: wpe.weight[:T])."""

import torch

from solutions.transformer.gpt2 import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.gpt2 import GPT2 as _Correct


class GPT2(_Correct):
    def forward(self, idx):
        B, T = idx.shape
        if T > self.config.block_size:
            raise ValueError(f"sequence of {T} tokens is longer than block_size {self.config.block_size}")
        pos = torch.arange(T)  # on the default device, not idx's
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        for block in self.transformer.h:
            x = block(x)
        return self.lm_head(self.transformer.ln_f(x))
