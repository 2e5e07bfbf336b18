"""Positions off by one: wpe(torch.arange(1, T + 1)) gives the first token of the window wpe
row 1 instead of row 0, so every token reads the embedding of the next position (and a full
window of block_size tokens indexes past the end of wpe). GPT-2's positions are 0-based,
counted from the start of the window passed to forward: torch.arange(T). (Some models offset
their learned positions on purpose, e.g. OPT by 2: a checkpoint's convention must be matched
exactly.)"""

import torch

from solutions.transformer.gpt2 import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.gpt2 import GPT2 as _GPT2


class GPT2(_GPT2):
    def forward(self, idx):
        B, T = idx.shape
        pos = torch.arange(1, T + 1, device=idx.device)  # wrong: positions start at 1
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        for block in self.transformer.h:
            x = block(x)
        return self.lm_head(self.transformer.ln_f(x))
