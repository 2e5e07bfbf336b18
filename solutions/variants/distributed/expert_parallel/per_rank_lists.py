"""Expert parallelism built from per-destination lists (a loop over ranks, torch.where on each
pair's owner), concatenated for all_to_all_single (gloo's list all_to_all needs equal sizes);
the returned rows split again per destination for the combine."""

from __future__ import annotations

import torch
import torch.distributed as dist
from torch import nn


class ExpertParallelMoE(nn.Module):
    def __init__(self, moe):
        super().__init__()
        self.world, self.rank = dist.get_world_size(), dist.get_rank()
        n = moe.config.n_routed_experts
        if n % self.world:
            raise ValueError(f"n_routed_experts={n} is not divisible by world_size={self.world}")
        self.per_rank = n // self.world
        self.gate = moe.gate
        self.experts = nn.ModuleList(list(moe.experts)[self.rank * self.per_rank:(self.rank + 1) * self.per_rank])
        self.shared_experts = moe.shared_experts

    def forward(self, x):
        flat = x.reshape(-1, x.shape[-1])
        topk_idx, topk_weight = self.gate(flat)
        owner = topk_idx // self.per_rank
        picks = [torch.where(owner == r) for r in range(self.world)]     # (token rows, slots)
        counts = torch.tensor([len(t) for t, _ in picks], device=x.device)
        incoming = torch.empty_like(counts)
        dist.all_to_all_single(incoming, counts)
        sizes, mine = incoming.tolist(), counts.tolist()
        out_rows = [flat[t] for t, _ in picks]
        out_ids = [topk_idx[t, s] - r * self.per_rank for r, (t, s) in enumerate(picks)]
        in_rows = flat.new_empty(sum(sizes), flat.shape[-1])
        in_ids = topk_idx.new_empty(sum(sizes))
        dist.all_to_all_single(in_rows, torch.cat(out_rows), sizes, mine)
        dist.all_to_all_single(in_ids, torch.cat(out_ids), sizes, mine)
        res = torch.empty_like(in_rows)
        for j, expert in enumerate(self.experts):                   # once, on rows from every rank
            m = in_ids == j
            if m.any():
                res[m] = expert(in_rows[m])
        back = flat.new_empty(sum(mine), flat.shape[-1])
        dist.all_to_all_single(back, res, mine, sizes)
        back = back.split(mine)
        y = torch.zeros(flat.shape, dtype=torch.float32, device=x.device)
        for (t, s), res in zip(picks, back):
            y.index_add_(0, t, res.float() * topk_weight[t, s].unsqueeze(-1))
        y = y.to(x.dtype)
        if self.shared_experts is not None:
            y = y + self.shared_experts(flat)
        return y.view_as(x)
