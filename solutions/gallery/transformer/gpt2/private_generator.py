"""Sampling from a private generator seeded once: torch.multinomial(probs, 1, generator=g) with
g = torch.Generator().manual_seed(0) repeats the same "random" continuation on every call and
ignores torch.manual_seed, so a caller can neither vary nor reproduce samples the usual way.

Fix: torch.multinomial(probs, 1) on the global RNG."""

import torch

from solutions.transformer.gpt2 import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.gpt2 import GPT2 as _Correct


class GPT2(_Correct):
    @torch.no_grad()
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None):
        gen = torch.Generator(device=idx.device).manual_seed(0)  # wrong: private RNG
        for _ in range(max_new_tokens):
            logits = self(idx[:, -self.config.block_size:])[:, -1, :]
            if temperature == 0:
                nxt = logits.argmax(-1, keepdim=True)
            else:
                logits = logits / temperature
                if top_k is not None:
                    kth = logits.topk(min(top_k, logits.shape[-1]), dim=-1).values[:, -1:]
                    logits = logits.masked_fill(logits < kth, float("-inf"))
                nxt = torch.multinomial(logits.softmax(-1), 1, generator=gen)
            idx = torch.cat([idx, nxt], dim=1)
        return idx
