"""Dropped groups filled with -1e9 instead of -inf. A large finite "minus infinity" is not
-inf: the correction bias is any float32 and nothing bounds it below, so biased V3 scores
near -1e10 lie under the mask value and the dropped experts win. Fix:
masked_fill(dropped, float('-inf'))."""

import torch

from solutions.deepseek.moe import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.moe import Gate as _Gate, MoE as _MoE


class Gate(_Gate):
    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (..., H) -> (topk_idx (N, k) int64, topk_weight (N, k) float32)."""
        c = self.config
        x = x.reshape(-1, x.shape[-1])
        logits = x.float() @ self.weight.float().T                       # (N, E)
        if c.scoring_func == "softmax":
            scores = logits.softmax(dim=-1)
        elif c.scoring_func == "sigmoid":
            scores = logits.sigmoid()
        else:
            raise ValueError(f"unknown scoring_func {c.scoring_func!r}")

        choice = scores.detach()                                          # selection only
        if c.topk_method == "noaux_tc":
            choice = choice + self.e_score_correction_bias
        if c.topk_method in ("group_limited_greedy", "noaux_tc") and c.n_group > 1:
            grouped = choice.view(len(x), c.n_group, -1)                  # (N, G, E/G)
            if c.topk_method == "noaux_tc":
                group_scores = grouped.topk(2, dim=-1).values.sum(dim=-1)
            else:
                group_scores = grouped.amax(dim=-1)
            keep = group_scores.topk(c.topk_group, dim=-1).indices        # (N, topk_group)
            dropped = torch.ones_like(group_scores, dtype=torch.bool).scatter(1, keep, False)
            choice = grouped.masked_fill(dropped.unsqueeze(-1), -1e9).flatten(1)

        topk_idx = choice.topk(c.num_experts_per_tok, dim=-1).indices     # (N, k)
        topk_weight = scores.gather(1, topk_idx)                          # unbiased scores
        if c.norm_topk_prob:
            topk_weight = topk_weight / topk_weight.sum(dim=-1, keepdim=True)
        return topk_idx, topk_weight * c.routed_scaling_factor


class MoE(_MoE):  # the same MoE, routed by the gate above
    def __init__(self, config):
        super().__init__(config)
        self.gate = Gate(config)
