"""An extra dropout on ln_f's output, before lm_head: the contract puts dropout at exactly four
places (embeddings, attention weights, attn's and mlp's c_proj outputs); this one silently
perturbs every logit in train() mode (eval() hides it).

Fix: logits = lm_head(ln_f(x)), no dropout between them."""

import torch

from solutions.transformer.gpt2 import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.gpt2 import GPT2 as _Correct


class GPT2(_Correct):
    def forward(self, idx):
        B, T = idx.shape
        if T > self.config.block_size:
            raise ValueError(f"sequence of {T} tokens is longer than block_size {self.config.block_size}")
        pos = torch.arange(T, device=idx.device)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        for block in self.transformer.h:
            x = block(x)
        return self.lm_head(self.transformer.drop(self.transformer.ln_f(x)))  # wrong: extra dropout
