"""Samples from a hand-written softmax, exp(logits) / exp(logits).sum(), without subtracting
the max: at a tiny temperature (1e-3) the logits reach ~1e4, exp overflows to inf, inf / inf
is NaN, and torch.multinomial raises "probability tensor contains either inf, nan or
element < 0" instead of returning (almost surely) the greedy continuation.

Fix: logits.softmax(-1), or exp(logits - logits.max(-1, keepdim=True).values) normalised."""

import torch

from solutions.transformer.gpt2 import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.gpt2 import GPT2 as _Correct


class GPT2(_Correct):
    @torch.no_grad()
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None):
        for _ in range(max_new_tokens):
            logits = self(idx[:, -self.config.block_size:])[:, -1, :]
            if temperature == 0:
                nxt = logits.argmax(-1, keepdim=True)
            else:
                logits = logits / temperature
                if top_k is not None:
                    kth = logits.topk(min(top_k, logits.shape[-1]), dim=-1).values[:, -1:]
                    logits = logits.masked_fill(logits < kth, float("-inf"))
                e = logits.exp()  # wrong: no max shift, inf at a tiny temperature
                nxt = torch.multinomial(e / e.sum(-1, keepdim=True), 1)
            idx = torch.cat([idx, nxt], dim=1)
        return idx
