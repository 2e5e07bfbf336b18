"""The generated tokens written into a buffer preallocated with a bare torch.empty(B, T0 + n,
dtype=torch.long): it lives on the CPU whatever the model's device. On a GPU the prompt is
copied into it, and the next step feeds a CPU slice of it to an embedding on the GPU, which
fails (the meta device, a stand-in for a GPU, shows it: the copy out of meta has no data).

Fix: torch.empty(..., device=input_ids.device) or input_ids.new_empty(...), or collect the
new tokens and torch.cat them with input_ids.
"""

import torch

from solutions.deepseek.model import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.model import DeepSeekForCausalLM as _Correct


class DeepSeekForCausalLM(_Correct):
    @torch.no_grad()
    def generate(self, input_ids, max_new_tokens):
        B, T0 = input_ids.shape
        out = torch.empty(B, T0 + max_new_tokens, dtype=torch.long)  # wrong: no device=
        out[:, :T0] = input_ids
        if max_new_tokens == 0:
            return out
        cache = self.make_cache(B, T0 + max_new_tokens)
        logits = self(input_ids, cache, 0)
        for i in range(max_new_tokens):
            out[:, T0 + i] = logits[:, -1].argmax(dim=-1)
            if i + 1 < max_new_tokens:
                logits = self(out[:, T0 + i:T0 + i + 1], cache, T0 + i)
        return out
