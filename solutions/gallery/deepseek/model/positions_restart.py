"""Positions restart at 0 while decoding: the decode loop passes its own step counter as
start_pos (0, 1, 2, ...), as if the generated tokens started a new sequence. The first new
token is then rotated as position 0 and written over the prompt's first cache slot, and the
attention sees only the first step + 1 cached positions. Generated tokens continue the prompt:
the first one sits at position T0 (start_pos = T0 + step)."""

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
                logits = self(next_id, cache=cache, start_pos=step)  # positions start again at 0
        return torch.cat(out, dim=1)
