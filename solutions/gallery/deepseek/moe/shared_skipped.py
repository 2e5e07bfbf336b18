"""Shared experts skipped in the forward pass: only the routed experts' weighted sum is
returned. DeepSeekMoE's shared experts see every token (they hold the common knowledge so
the routed ones can specialise): y_t = sum_j w_tj * expert_j(x_t) + shared_experts(x_t)."""

import torch

from solutions.deepseek.moe import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.moe import MoE as _MoE


class MoE(_MoE):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shared, self.shared_experts = self.shared_experts, None
        try:
            return super().forward(x)  # routed experts only
        finally:
            self.shared_experts = shared
