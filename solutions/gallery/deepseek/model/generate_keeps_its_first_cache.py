"""generate keeps the cache of its first call on the model (self._gen_cache, "allocate once")
and decodes every later call into it: a later call with more tokens than the first (a longer
prompt or more new tokens) runs past its positions and fails. The contract makes a cache for
T0 + max_new_tokens positions in every call.

Fix: cache = self.make_cache(B, T0 + max_new_tokens) inside generate, every time.
"""

import torch

from solutions.deepseek.model import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.model import DeepSeekForCausalLM as _Correct


class DeepSeekForCausalLM(_Correct):
    @torch.no_grad()
    def generate(self, input_ids, max_new_tokens):
        B, T0 = input_ids.shape
        if max_new_tokens <= 0:
            return input_ids.clone()
        if getattr(self, "_gen_cache", None) is None:  # wrong: made once, kept on the model
            self._gen_cache = self.make_cache(B, T0 + max_new_tokens)
        cache = self._gen_cache
        logits = self(input_ids, cache=cache, start_pos=0)
        out = [input_ids]
        for step in range(max_new_tokens):
            next_id = logits[:, -1].argmax(dim=-1, keepdim=True)
            out.append(next_id)
            if step + 1 < max_new_tokens:
                logits = self(next_id, cache=cache, start_pos=T0 + step)
        return torch.cat(out, dim=1)
