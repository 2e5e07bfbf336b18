"""A Python loop over the tokens: correct values, but every token runs its k experts
separately, so the number of small kernel launches (and the time) grows with the tokens:
at 2048 tokens and 8 experts, hundreds of times the work of one pass per expert. Fix: group
the (token, expert) pairs by expert (argsort of topk_idx.flatten(), or torch.where per
expert), run each expert once on all its tokens, then index_add_ the weighted rows back."""

import torch

from solutions.deepseek.moe import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.moe import MoE as _MoE


class MoE(_MoE):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shape = x.shape
        tokens = x.reshape(-1, shape[-1])
        topk_idx, topk_weight = self.gate(tokens)
        rows = []
        for t in range(tokens.shape[0]):
            y = sum(w * self.experts[int(e)](tokens[t]) for e, w in zip(topk_idx[t], topk_weight[t]))
            if self.shared_experts is not None:
                y = y + self.shared_experts(tokens[t])
            rows.append(y.to(x.dtype))
        return torch.stack(rows).view(shape)
