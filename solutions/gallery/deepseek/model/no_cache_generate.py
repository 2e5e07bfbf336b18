"""Generation without the cache: every step runs the whole sequence so far through forward and
keeps only the last position's logits. The tokens are right, but step t recomputes the
attention and the experts for all T0 + t tokens: the cost of generating n tokens grows like
n * (T0 + n) token-passes instead of T0 + n, which is what the latent cache is for. Prefill once
with a cache, then feed one token per step at its own start_pos."""

import torch

from solutions.deepseek.model import DeepSeekForCausalLM as _Correct
from solutions.deepseek.model import *  # noqa: F401,F403 (the rest is correct)


class DeepSeekForCausalLM(_Correct):
    @torch.no_grad()
    def generate(self, input_ids: torch.Tensor, max_new_tokens: int) -> torch.Tensor:
        seq = input_ids.clone()
        for _ in range(max_new_tokens):
            next_id = self(seq)[:, -1].argmax(dim=-1, keepdim=True)
            seq = torch.cat([seq, next_id], dim=1)
        return seq
