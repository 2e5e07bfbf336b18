"""No check of T against block_size: idx longer than block_size reaches wpe and fails with an
IndexError deep in the embedding ("index out of range in self"), which says nothing about
the cause.

Fix: if T > block_size: raise ValueError(f"sequence of {T} tokens is longer than block_size
{block_size}") at the top of forward."""

import torch

from solutions.transformer.gpt2 import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.gpt2 import GPT2 as _Correct


class GPT2(_Correct):
    def forward(self, idx):
        T = idx.shape[1]  # wrong: no length check
        pos = torch.arange(T, device=idx.device)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        for block in self.transformer.h:
            x = block(x)
        return self.lm_head(self.transformer.ln_f(x))
