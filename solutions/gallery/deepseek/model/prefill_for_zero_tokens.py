"""generate has no max_new_tokens = 0 shortcut: it prefills the whole prompt first and only then
finds there is nothing to decode, so generate(prompt, 0) runs the model once on T0 tokens (a
cache and a full forward for nothing). The contract runs the model max_new_tokens times in all:
zero times for max_new_tokens = 0, which just returns the prompt.

Fix: return the prompt before making a cache or running the model when max_new_tokens is 0.
"""

import torch

from solutions.deepseek.model import DeepSeekForCausalLM as _CorrectLM
from solutions.deepseek.model import *  # noqa: F401,F403 (the rest is correct)


class DeepSeekForCausalLM(_CorrectLM):
    @torch.no_grad()
    def generate(self, input_ids: torch.Tensor, max_new_tokens: int) -> torch.Tensor:
        B, T0 = input_ids.shape
        cache = self.make_cache(B, T0 + max_new_tokens)
        logits = self(input_ids, cache=cache, start_pos=0)  # runs even when nothing is decoded
        out = [input_ids]
        for step in range(max_new_tokens):
            next_id = logits[:, -1].argmax(dim=-1, keepdim=True)
            out.append(next_id)
            if step + 1 < max_new_tokens:
                logits = self(next_id, cache=cache, start_pos=T0 + step)
        return torch.cat(out, dim=1)
