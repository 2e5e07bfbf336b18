"""generate without torch.no_grad(): every prefill and decode step records an autograd graph
through all the layers (the weights require grad), which costs memory for nothing; the contract
says no gradients.

Fix: decorate generate with @torch.no_grad().
"""

import torch

from solutions.deepseek import model as _sol
from solutions.deepseek.model import *  # noqa: F401,F403 (the rest is correct)


class DeepSeekForCausalLM(_sol.DeepSeekForCausalLM):
    def generate(self, input_ids, max_new_tokens):  # wrong: no torch.no_grad()
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
                logits = self(next_id, cache=cache, start_pos=T0 + step)
        return torch.cat(out, dim=1)
