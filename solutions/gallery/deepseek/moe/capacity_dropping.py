"""Output depending on the other tokens in the batch (capacity dropping). Like GShard or
Switch Transformer training code, each expert here takes at most
capacity = ceil(1.25 * N * k / E) tokens per batch and the overflow is dropped (those tokens
get no contribution from that expert). Then a token's output changes with what else is in
the batch: a popular expert silently drops tokens, and a token run alone differs from the
same token in a batch. DeepSeek's inference MoE has no capacity: every (token, expert) pair
is computed. Fix: run every expert on all of its tokens."""

import math

import torch

from solutions.deepseek.moe import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.moe import MoE as _MoE


class MoE(_MoE):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = x.shape
        tokens = x.reshape(-1, shape[-1])
        topk_idx, topk_weight = self.gate(tokens)
        n, k = topk_idx.shape
        capacity = math.ceil(1.25 * n * k / len(self.experts))
        routed = torch.zeros(tokens.shape, dtype=torch.float32, device=x.device)
        for e, expert in enumerate(self.experts):
            rows, slot = torch.where(topk_idx == e)
            rows, slot = rows[:capacity], slot[:capacity]  # the overflow is dropped
            if len(rows):
                weights = topk_weight[rows, slot].unsqueeze(-1)
                routed.index_add_(0, rows, expert(tokens[rows]).float() * weights)
        out = routed.to(x.dtype)
        if self.shared_experts is not None:
            out = out + self.shared_experts(tokens)
        return out.view(shape)
