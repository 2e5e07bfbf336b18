"""generate switches the model to eval mode itself (self.eval() at the start): a caller who is
training and samples a few tokens for a progress report comes back to a model whose dropout is
silently off for the rest of training. The contract: generate leaves the mode as it finds it;
the caller calls model.eval() first.

Fix: do not call self.eval() / self.train() inside generate."""

import torch

from solutions.transformer.gpt2 import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.gpt2 import GPT2 as _Correct


class GPT2(_Correct):
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None):
        self.eval()  # wrong: changes the caller's mode
        return super().generate(idx, max_new_tokens, temperature, top_k)
