"""Cache not advanced: after the prefill, every new token is fed at start_pos = T0 (the prompt
length), so each step overwrites the same cache slot and rotates its query and key as if at
position T0. From the second new token on, the model no longer sees the tokens it generated
before (their latents were overwritten) and the continuation drifts. start_pos must count the
tokens already in the cache: T0 for the first new token, T0 + 1 for the next, and so on."""

import torch

from solutions.deepseek.model import DeepSeekForCausalLM as _Correct
from solutions.deepseek.model import *  # noqa: F401,F403 (the rest is correct)


class DeepSeekForCausalLM(_Correct):
    @torch.no_grad()
    def generate(self, input_ids: torch.Tensor, max_new_tokens: int) -> torch.Tensor:
        B, T0 = input_ids.shape
        if max_new_tokens <= 0:
            return input_ids.clone()
        cache = self.make_cache(B, T0 + max_new_tokens)
        logits = self(input_ids, cache=cache, start_pos=0)
        out = [input_ids]
        for step in range(max_new_tokens):
            next_id = logits[:, -1].argmax(dim=-1, keepdim=True)
            out.append(next_id)
            if step + 1 < max_new_tokens:
                logits = self(next_id, cache=cache, start_pos=T0)   # never moves on
        return torch.cat(out, dim=1)
