"""Untied head: lm_head = nn.Linear(n_embd, vocab_size, bias=False) with weights of its own.
GPT-2 ties the output projection to the token embedding (lm_head.weight IS
transformer.wte.weight): one vocab_size x n_embd matrix serves both ends, trained by both.
Untied, GPT-2 small grows by 38,597,376 parameters (163,037,184 instead of 124,439,808), the
head no longer moves with the embedding during training, and loading GPT-2's checkpoint (which
stores the matrix once) only looks right. Tie it: self.lm_head.weight = self.transformer.wte.weight."""

import torch.nn as nn

from solutions.transformer.gpt2 import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.gpt2 import GPT2 as _TiedGPT2


class GPT2(_TiedGPT2):
    def __init__(self, config):
        super().__init__(config)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)  # wrong: its own weight
