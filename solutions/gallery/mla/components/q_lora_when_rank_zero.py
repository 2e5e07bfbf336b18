"""Query-compression weights built when its rank is 0: DeepSeek's configs say "no query
compression" with q_lora_rank = 0 (DeepSeek's inference code, V2-Lite) or None (Hugging
Face). Testing `q_lora_rank is not None` builds q_a_proj, q_a_layernorm and q_b_proj of size 0
for rank 0: the state_dict has keys DeepSeek's checkpoint lacks (and q_proj is missing), and
the queries come out as zeros. Fix: `if config.q_lora_rank:` (False for both 0 and None), else
a single q_proj = Linear(hidden_size, H * (nope + rope))."""

import torch
from torch import nn

from solutions.mla.components import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.components import MLAProjections as _Correct, RMSNorm, rope_interleaved


class MLAProjections(_Correct):
    def __init__(self, config):
        super().__init__(config)
        if config.q_lora_rank is not None and not config.q_lora_rank:  # wrong: rank 0 compresses
            del self.q_proj
            self.q_a_proj = nn.Linear(config.hidden_size, 0, bias=False)
            self.q_a_layernorm = RMSNorm(0, eps=config.rms_norm_eps)
            self.q_b_proj = nn.Linear(0, self.num_heads * (self.nope + self.rope), bias=False)

    def queries(self, x: torch.Tensor, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        B, T, _ = x.shape
        if self.config.q_lora_rank is not None:
            q = self.q_b_proj(self.q_a_layernorm(self.q_a_proj(x)))
        else:
            q = self.q_proj(x)
        q = q.view(B, T, self.num_heads, self.nope + self.rope).transpose(1, 2)
        q_nope, q_rope = q.split([self.nope, self.rope], dim=-1)
        return q_nope, rope_interleaved(q_rope, positions, self.config.rope_theta)
