"""Prefill of all but the last prompt token, then the last prompt token fed alone as the first
"step": the loop becomes uniform (every step feeds one token and reads its logits), and the
tokens come out the same, but the contract runs the WHOLE prompt through forward once and
takes the first new token from the prefill's last logits. Here a prompt's last token costs
a separate pass through every layer, and a one-token prompt gets no prefill at all.

Fix: logits = self(input_ids, cache, 0) on all T0 tokens, then next = logits[:, -1].argmax(-1).
"""

import torch

from solutions.deepseek.model import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.model import DeepSeekForCausalLM as _Correct


class DeepSeekForCausalLM(_Correct):
    @torch.no_grad()
    def generate(self, input_ids, max_new_tokens):
        B, T0 = input_ids.shape
        if max_new_tokens == 0:
            return input_ids.clone()
        cache = self.make_cache(B, T0 + max_new_tokens)
        if T0 > 1:
            self(input_ids[:, :-1], cache, 0)  # wrong: the prompt's last token is held back
        out, current, pos = input_ids, input_ids[:, -1:], T0 - 1
        for _ in range(max_new_tokens):
            current = self(current, cache, pos)[:, -1].argmax(dim=-1, keepdim=True)
            out = torch.cat([out, current], dim=1)
            pos += 1
        return out
