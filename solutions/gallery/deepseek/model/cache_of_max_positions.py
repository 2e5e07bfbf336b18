"""generate makes its cache for config.max_position_embeddings positions ("as long as the model
can go") instead of the T0 + max_new_tokens it decodes. The tokens come out right, but every
call allocates the full context: for DeepSeek-V3 (163,840 positions, 61 layers of 576 numbers)
that is 11.5 GB in bfloat16 per sequence, to decode a handful of tokens.

Fix: cache = self.make_cache(B, T0 + max_new_tokens).
"""

import torch

from solutions.deepseek.model import DeepSeekForCausalLM as _CorrectLM
from solutions.deepseek.model import *  # noqa: F401,F403 (the rest is correct)


class DeepSeekForCausalLM(_CorrectLM):
    @torch.no_grad()
    def generate(self, input_ids: torch.Tensor, max_new_tokens: int) -> torch.Tensor:
        B, T0 = input_ids.shape
        if max_new_tokens <= 0:
            return input_ids.clone()
        cache = self.make_cache(B, self.config.max_position_embeddings)  # the whole context
        logits = self(input_ids, cache=cache, start_pos=0)
        out = [input_ids]
        for step in range(max_new_tokens):
            next_id = logits[:, -1].argmax(dim=-1, keepdim=True)
            out.append(next_id)
            if step + 1 < max_new_tokens:
                logits = self(next_id, cache=cache, start_pos=T0 + step)
        return torch.cat(out, dim=1)
