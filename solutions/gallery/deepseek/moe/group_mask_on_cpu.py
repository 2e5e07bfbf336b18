"""The kept-groups mask built with a bare torch.zeros(N, n_group).scatter_(1, keep, 1.0): it
lives on the CPU whatever the router's device. On a GPU the scatter with CUDA indices, or
the masked_fill of the CUDA scores with it, fails (the meta device, a stand-in for a GPU,
shows it). The values are right on a CPU, so CPU-only tests never notice.

Fix: build it from the scores: torch.zeros_like(group_scores), group_scores.new_zeros(...)
or torch.ones_like(group_scores, dtype=torch.bool).scatter(1, keep, False).
"""

import torch

from solutions.deepseek.moe import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.moe import Gate as _Gate, MoE as _MoE


class Gate(_Gate):
    def forward(self, x):
        c = self.config
        x = x.reshape(-1, x.shape[-1])
        logits = x.float() @ self.weight.float().T
        scores = logits.softmax(dim=-1) if c.scoring_func == "softmax" else logits.sigmoid()
        choice = scores.detach()
        if c.topk_method == "noaux_tc":
            choice = choice + self.e_score_correction_bias
        if c.topk_method in ("group_limited_greedy", "noaux_tc") and c.n_group > 1:
            grouped = choice.view(len(x), c.n_group, -1)
            if c.topk_method == "noaux_tc":
                group_scores = grouped.topk(2, dim=-1).values.sum(dim=-1)
            else:
                group_scores = grouped.amax(dim=-1)
            keep = group_scores.topk(c.topk_group, dim=-1).indices
            group_mask = torch.zeros(len(x), c.n_group).scatter_(1, keep, 1.0)  # wrong: CPU
            choice = grouped.masked_fill(group_mask[..., None] == 0, float("-inf")).flatten(1)
        topk_idx = choice.topk(c.num_experts_per_tok, dim=-1).indices
        topk_weight = scores.gather(1, topk_idx)
        if c.norm_topk_prob:
            topk_weight = topk_weight / topk_weight.sum(dim=-1, keepdim=True)
        return topk_idx, topk_weight * c.routed_scaling_factor


class MoE(_MoE):
    def __init__(self, config):
        super().__init__(config)
        self.gate = Gate(config)
