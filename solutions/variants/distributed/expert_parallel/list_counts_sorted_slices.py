"""Expert parallelism with the list form of all_to_all for the counts (one 1-element tensor per
rank), global expert ids sent along, and the arrived rows sorted by expert so each local expert
runs on one contiguous slice."""

from __future__ import annotations

import torch
import torch.distributed as dist
from torch import nn


class ExpertParallelMoE(nn.Module):
    def __init__(self, moe):
        super().__init__()
        W, r = dist.get_world_size(), dist.get_rank()
        E = moe.config.n_routed_experts
        if E % W != 0:
            raise ValueError(f"{E} experts cannot be split evenly over {W} ranks")
        self.L, self.W, self.r = E // W, W, r
        self.gate = moe.gate
        self.shared_experts = moe.shared_experts
        self.experts = nn.ModuleList([moe.experts[i] for i in range(r * self.L, (r + 1) * self.L)])

    def forward(self, x):
        B, T, H = x.shape
        tok = x.reshape(B * T, H)
        idx, w = self.gate(tok)
        k = idx.shape[-1]
        owner = (idx // self.L).reshape(-1)
        order = torch.sort(owner, stable=True).indices
        send = [torch.tensor([int((owner == d).sum())]) for d in range(self.W)]
        recv = [torch.zeros(1, dtype=torch.int64) for _ in range(self.W)]
        dist.all_to_all(recv, send)
        s_sizes, r_sizes = [int(t) for t in send], [int(t) for t in recv]
        rows = tok[order // k]
        got = tok.new_empty(sum(r_sizes), H)
        dist.all_to_all_single(got, rows, r_sizes, s_sizes)
        ids = torch.empty(sum(r_sizes), dtype=torch.int64)
        dist.all_to_all_single(ids, idx.reshape(-1)[order].contiguous(), r_sizes, s_sizes)
        by_expert = torch.sort(ids, stable=True).indices
        counts = torch.bincount(ids - self.r * self.L, minlength=self.L).tolist()
        res = torch.empty_like(got)
        start = 0
        for j, n in enumerate(counts):
            if n:
                sel = by_expert[start:start + n]
                res[sel] = self.experts[j](got[sel])
            start += n
        back = tok.new_empty(rows.shape)
        dist.all_to_all_single(back, res, s_sizes, r_sizes)
        y = torch.zeros(B * T, H, dtype=torch.float32)
        y.index_add_(0, order // k, back.float() * w.reshape(-1)[order, None])
        y = y.to(x.dtype)
        if self.shared_experts is not None:
            y = y + self.shared_experts(tok)
        return y.reshape(B, T, H)
