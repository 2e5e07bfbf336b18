"""The loop feeds every new token back, the last one too: after appending token T0 + n - 1
it runs the model once more, on logits nobody reads. That wasted step writes position
T0 + max_new_tokens, so the cache had to be made one position longer than the contract's
T0 + max_new_tokens (a cache that size raises ValueError on the extra step).

Fix: run the model max_new_tokens times in all: the prefill, then max_new_tokens - 1 single
tokens; stop as soon as the last token is appended.
"""

import torch

from solutions.deepseek.model import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.model import DeepSeekForCausalLM as _Correct


class DeepSeekForCausalLM(_Correct):
    @torch.no_grad()
    def generate(self, input_ids, max_new_tokens):
        B, T0 = input_ids.shape
        cache = self.make_cache(B, T0 + max_new_tokens + 1)  # wrong: room for a step never needed
        logits = self(input_ids, cache, 0)
        out = input_ids
        for step in range(max_new_tokens):
            next_id = logits[:, -1].argmax(dim=-1, keepdim=True)
            out = torch.cat([out, next_id], dim=1)
            logits = self(next_id, cache, T0 + step)  # also after the last token
        return out
