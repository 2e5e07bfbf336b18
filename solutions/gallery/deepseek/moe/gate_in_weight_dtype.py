"""The router computes in the weight's dtype (x.to(self.weight.dtype) @ self.weight.T): a
.double()'d model then routes in float64 and returns float64 weights, and a bf16 one would route
in bf16, where near-equal scores pick different experts. The contract fixes float32.

Fix: logits = x.float() @ self.weight.float().T.
"""

import torch

from solutions.deepseek import moe as _sol
from solutions.deepseek.moe import *  # noqa: F401,F403 (the rest is correct)


class Gate(_sol.Gate):
    def forward(self, x):
        c = self.config
        x = x.reshape(-1, x.shape[-1])
        logits = x.to(self.weight.dtype) @ self.weight.T  # wrong: not float32
        scores = logits.softmax(-1) if c.scoring_func == "softmax" else logits.sigmoid()
        choice = scores.detach()
        if c.topk_method == "noaux_tc":
            choice = choice + self.e_score_correction_bias
        if c.topk_method in ("group_limited_greedy", "noaux_tc") and c.n_group > 1:
            grouped = choice.view(len(x), c.n_group, -1)
            if c.topk_method == "noaux_tc":
                group_scores = grouped.topk(2, dim=-1).values.sum(-1)
            else:
                group_scores = grouped.amax(-1)
            keep = group_scores.topk(c.topk_group, dim=-1).indices
            dropped = torch.ones_like(group_scores, dtype=torch.bool).scatter(1, keep, False)
            choice = grouped.masked_fill(dropped.unsqueeze(-1), float("-inf")).flatten(1)
        idx = choice.topk(c.num_experts_per_tok, dim=-1).indices
        w = scores.gather(1, idx)
        if c.norm_topk_prob:
            w = w / w.sum(-1, keepdim=True)
        return idx, w * c.routed_scaling_factor
