"""Expert parallelism without expert ids on the wire: ranks exchange per-expert counts (W x L),
rows arrive grouped by source rank then by expert, and the owner regroups them by expert."""

from __future__ import annotations

import torch
import torch.distributed as dist
from torch import nn


class ExpertParallelMoE(nn.Module):
    def __init__(self, moe):
        super().__init__()
        world, rank = dist.get_world_size(), dist.get_rank()
        E = moe.config.n_routed_experts
        if E % world != 0:
            raise ValueError(f"cannot split {E} experts over {world} ranks")
        L = E // world
        self.gate, self.shared_experts = moe.gate, moe.shared_experts
        self.experts = nn.ModuleList([moe.experts[rank * L + j] for j in range(L)])

    def forward(self, x):
        world = dist.get_world_size()
        L = len(self.experts)
        B, T, H = x.shape
        tok = x.reshape(B * T, H)
        idx, w = self.gate(tok)
        k = idx.shape[-1]
        pair_expert = idx.reshape(-1)
        order = torch.sort(pair_expert, stable=True).indices      # grouped by expert, so by rank
        per_expert = torch.bincount(pair_expert, minlength=world * L)          # (E,)
        got = torch.empty_like(per_expert)
        dist.all_to_all_single(got, per_expert)                   # got[s*L + j]: rows from s for my expert j
        send = per_expert.view(world, L).sum(1).tolist()
        recv = got.view(world, L).sum(1).tolist()
        inbox = tok.new_empty(sum(recv), H)
        dist.all_to_all_single(inbox, tok[order // k], recv, send)
        # inbox: source 0's rows (expert 0.., 1..), source 1's rows, ...: label each row's expert
        labels = torch.arange(L, device=x.device).repeat(world).repeat_interleave(got)
        outbox = torch.empty_like(inbox)
        for j in range(L):
            sel = (labels == j).nonzero().squeeze(1)
            if sel.numel():
                outbox[sel] = self.experts[j](inbox[sel])
        back = tok.new_empty(B * T * k, H)
        dist.all_to_all_single(back, outbox, send, recv)
        y = torch.zeros(B * T, H, dtype=torch.float32, device=x.device)
        y.index_add_(0, order // k, back.float() * w.reshape(-1)[order, None])
        y = y.to(x.dtype)
        if self.shared_experts is not None:
            y = y + self.shared_experts(tok)
        return y.reshape(B, T, H)
