"""Group-limited routing whenever n_group > 1, even for topk_method "greedy". Greedy
routing (DeepSeek-V2-Lite) has no groups: a greedy config that still carries n_group = 4,
topk_group = 1 must pick the k best experts among ALL of them, not inside one group.

Fix: group only if c.topk_method in ("group_limited_greedy", "noaux_tc") (and n_group > 1).
"""

import torch

from solutions.deepseek.moe import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.moe import Gate as _Gate, MoE as _MoE


class Gate(_Gate):
    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        c = self.config
        x = x.reshape(-1, x.shape[-1])
        logits = x.float() @ self.weight.float().T
        scores = logits.softmax(dim=-1) if c.scoring_func == "softmax" else logits.sigmoid()
        choice = scores.detach()
        if c.topk_method == "noaux_tc":
            choice = choice + self.e_score_correction_bias
        if c.n_group > 1:  # wrong: "greedy" has no groups
            grouped = choice.view(len(x), c.n_group, c.n_routed_experts // c.n_group)
            if c.topk_method == "noaux_tc":
                group_scores = grouped.topk(2, dim=-1).values.sum(dim=-1)
            else:
                group_scores = grouped.amax(dim=-1)
            keep = group_scores.topk(c.topk_group, dim=-1).indices
            dropped = torch.ones_like(group_scores, dtype=torch.bool).scatter(1, keep, False)
            choice = grouped.masked_fill(dropped.unsqueeze(-1), float("-inf")).flatten(1)
        topk_idx = choice.topk(c.num_experts_per_tok, dim=-1).indices
        topk_weight = scores.gather(1, topk_idx)
        if c.norm_topk_prob:
            topk_weight = topk_weight / topk_weight.sum(dim=-1, keepdim=True)
        return topk_idx, topk_weight * c.routed_scaling_factor


class MoE(_MoE):
    def __init__(self, config):
        super().__init__(config)
        self.gate = Gate(config)
