"""generate without torch.no_grad(): every step's forward builds an autograd graph (all the
activations of the window kept alive) that nothing will ever backpropagate through: memory and
time wasted at every generated token.

Fix: decorate generate with @torch.no_grad()."""

import torch

from solutions.transformer.gpt2 import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.gpt2 import GPT2 as _Correct


class GPT2(_Correct):
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None):  # wrong: grad mode on
        return _Correct.generate.__wrapped__(self, idx, max_new_tokens, temperature, top_k)
