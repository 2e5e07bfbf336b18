"""Rope key made per head: kv_a_proj_with_mqa ("with MQA", multi-query) produces ONE rope key
of qk_rope_head_dim per token, shared by all heads, next to the latent. Giving every head its
own rope key (H * qk_rope_head_dim outputs) multiplies that part of the cache by the number of
heads and does not load DeepSeek's weights (kv_a_proj_with_mqa is (kv_lora_rank +
qk_rope_head_dim, hidden_size)). Fix: k_rope (B, T, qk_rope_head_dim), broadcast over heads
when the scores are computed."""

import torch
from torch import nn

from solutions.mla.components import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.components import MLAProjections as _Correct, rope_interleaved


class MLAProjections(_Correct):
    def __init__(self, config):
        super().__init__(config)
        self.kv_a_proj_with_mqa = nn.Linear(config.hidden_size,  # wrong: a rope key per head
                                            self.kv_lora_rank + self.num_heads * self.rope, bias=False)

    def latent(self, x: torch.Tensor, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        B, T, _ = x.shape
        c_kv, k_rope = self.kv_a_proj_with_mqa(x).split([self.kv_lora_rank, self.num_heads * self.rope], dim=-1)
        k_rope = k_rope.view(B, T, self.num_heads, self.rope).transpose(1, 2)
        return self.kv_a_layernorm(c_kv), rope_interleaved(k_rope, positions, self.config.rope_theta)
