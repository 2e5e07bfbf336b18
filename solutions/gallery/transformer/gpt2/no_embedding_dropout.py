"""No dropout on the embeddings: x = wte(idx) + wpe(pos) enters the first block undropped.
nanoGPT (and GPT-2's training) drop the summed embeddings too.

Fix: x = dropout(wte(idx) + wpe(pos)) with nn.Dropout(config.dropout), active in train() mode."""

import torch.nn as nn

from solutions.transformer.gpt2 import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.gpt2 import GPT2 as _Correct


class GPT2(_Correct):
    def __init__(self, config):
        super().__init__(config)
        self.transformer.drop = nn.Identity()  # wrong
