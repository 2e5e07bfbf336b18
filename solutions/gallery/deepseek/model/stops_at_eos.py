"""generate stops as soon as every row has produced config.eos_token_id, as Hugging Face's
generate does by default. The contract decodes exactly max_new_tokens tokens (no stopping at an
end-of-sequence token): the caller gets (B, T0 + max_new_tokens) whatever the tokens are, and
a shorter result breaks the shape every caller relies on.

Fix: run the loop for all max_new_tokens steps; leave stopping rules to the caller.
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
        cache = self.make_cache(B, T0 + max_new_tokens)
        logits = self(input_ids, cache=cache, start_pos=0)
        out = [input_ids]
        for step in range(max_new_tokens):
            next_id = logits[:, -1].argmax(dim=-1, keepdim=True)
            out.append(next_id)
            if bool((next_id == self.config.eos_token_id).all()):  # stops early
                break
            if step + 1 < max_new_tokens:
                logits = self(next_id, cache=cache, start_pos=T0 + step)
        return torch.cat(out, dim=1)
