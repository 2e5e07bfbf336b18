"""Tokens' contributions overwritten instead of added: out[rows] = expert(x[rows]) * w
(index assignment) replaces what an earlier expert wrote for the same token, so of a token's
k experts only the last one survives. Each token must receive the SUM of its k weighted
expert outputs: out.index_add_(0, rows, ...) (or out[rows] += ... only when rows has no
repeats, which holds within one expert)."""

import torch

from solutions.deepseek.moe import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.moe import MoE as _MoE


class MoE(_MoE):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = x.shape
        tokens = x.reshape(-1, shape[-1])
        topk_idx, topk_weight = self.gate(tokens)
        routed = torch.zeros(tokens.shape, dtype=torch.float32, device=x.device)
        for e, expert in enumerate(self.experts):
            rows, slot = torch.where(topk_idx == e)
            if len(rows):
                routed[rows] = expert(tokens[rows]).float() * topk_weight[rows, slot].unsqueeze(-1)
        out = routed.to(x.dtype)
        if self.shared_experts is not None:
            out = out + self.shared_experts(tokens)
        return out.view(shape)
