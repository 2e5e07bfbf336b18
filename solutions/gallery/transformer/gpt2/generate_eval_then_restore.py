"""generate switches to eval mode for its own duration and restores the mode at the end
(was_training = self.training; self.eval(); ...; self.train(was_training)). The mode is right
afterwards, but a model the caller left in train() mode generates in eval mode: dropout is
silently off while it samples, which is not what the caller asked for, and a model whose
submodules were in different modes comes back with all of them set alike. The contract:
generate does not touch the mode at all, not even for the duration of the call.

Fix: no self.eval() / self.train(...) inside generate; the caller calls model.eval() first."""

import torch

from solutions.transformer.gpt2 import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.gpt2 import GPT2 as _Correct


class GPT2(_Correct):
    @torch.no_grad()
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None):
        was_training = self.training
        self.eval()
        try:
            return super().generate(idx, max_new_tokens, temperature, top_k)
        finally:
            self.train(was_training)
