"""The per-expert outputs collected in lists and joined with torch.cat before one index_add_:
with no tokens (an empty batch, T = 0) no expert has rows, and torch.cat of an empty list
raises. An empty batch must give an empty output.

Fix: index_add_ each expert's weighted rows into a zero output inside the loop over experts,
or skip the join when the lists are empty.
"""

import torch

from solutions.deepseek.moe import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.moe import MoE as _MoE


class MoE(_MoE):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        tokens = x.reshape(-1, x.shape[-1])
        topk_idx, topk_weight = self.gate(tokens)
        rows, outputs = [], []
        for e, expert in enumerate(self.experts):
            token, slot = torch.where(topk_idx == e)
            if len(token):
                rows.append(token)
                outputs.append(expert(tokens[token]).float() * topk_weight[token, slot, None])
        routed = torch.zeros(tokens.shape, dtype=torch.float32, device=x.device)
        routed.index_add_(0, torch.cat(rows), torch.cat(outputs))
        out = routed.to(x.dtype)
        if self.shared_experts is not None:
            out = out + self.shared_experts(tokens)
        return out.view(x.shape)
