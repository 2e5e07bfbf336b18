"""temperature=0 handled only when top_k is None: with top_k given, the logits are divided by
the temperature (0: inf and nan) and sampled. The contract says temperature == 0 is greedy
argmax and top_k is then ignored.

Fix: test temperature == 0 first and take the argmax; only otherwise divide, filter, sample."""

import torch

from solutions.transformer.gpt2 import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.gpt2 import GPT2 as _Correct


class GPT2(_Correct):
    @torch.no_grad()
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None):
        for _ in range(max_new_tokens):
            logits = self(idx[:, -self.config.block_size:])[:, -1, :]
            if temperature == 0 and top_k is None:  # wrong: top_k sends temperature 0 to sampling
                nxt = logits.argmax(-1, keepdim=True)
            else:
                logits = logits / temperature if temperature else logits
                if top_k is not None:
                    kth = logits.topk(min(top_k, logits.shape[-1]), dim=-1).values[:, -1:]
                    logits = logits.masked_fill(logits < kth, float("-inf"))
                nxt = torch.multinomial(logits.softmax(-1), 1)
            idx = torch.cat([idx, nxt], dim=1)
        return idx
