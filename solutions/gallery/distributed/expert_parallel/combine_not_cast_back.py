"""The float32 combine returned without the cast back to x's dtype: bfloat16 (or float16) tokens
come back float32 (float32 and float64 inputs hide it: float32 + a float64 shared expert is float64).
Fix: out = routed.to(x.dtype), then add shared_experts(tokens)."""

from __future__ import annotations

import torch
import torch.distributed as dist
from torch import nn

from katas.deepseek.moe import MoE


class ExpertParallelMoE(nn.Module):
    """A deepseek/moe MoE whose routed experts are split evenly over the ranks."""

    def __init__(self, moe: MoE):
        super().__init__()
        self.rank, self.world = dist.get_rank(), dist.get_world_size()
        n_experts = moe.config.n_routed_experts
        if n_experts % self.world:
            raise ValueError(f"{n_experts} experts cannot be split evenly over {self.world} ranks")
        self.local = n_experts // self.world                              # L experts per rank
        self.gate = moe.gate
        self.shared_experts = moe.shared_experts
        first = self.rank * self.local
        self.experts = nn.ModuleList(moe.experts[first:first + self.local])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, H) -> (B, T, H): route, all_to_all out, local experts, all_to_all back, combine."""
        shape = x.shape
        tokens = x.reshape(-1, shape[-1])                                 # (N, H)
        topk_idx, topk_weight = self.gate(tokens)                         # (N, k) each
        k = topk_idx.shape[1]

        # 1. sort the N*k pairs by expert: pairs for rank 0 first, then rank 1, ...
        flat = topk_idx.flatten()
        order = flat.argsort(stable=True)
        token_of = order // k
        send_counts = torch.bincount(flat // self.local, minlength=self.world)
        recv_counts = torch.empty_like(send_counts)
        dist.all_to_all_single(recv_counts, send_counts)                  # W counts each way
        send_splits, recv_splits = send_counts.tolist(), recv_counts.tolist()

        # 2. dispatch the token rows and their local expert index
        rows = tokens[token_of]
        arrived = rows.new_empty(sum(recv_splits), shape[-1])
        dist.all_to_all_single(arrived, rows, recv_splits, send_splits)
        expert_of = flat[order] % self.local
        arrived_expert = expert_of.new_empty(sum(recv_splits))
        dist.all_to_all_single(arrived_expert, expert_of, recv_splits, send_splits)

        # 3. each local expert once, on every row sent to it
        results = torch.empty_like(arrived)
        for j, expert in enumerate(self.experts):
            mine = torch.where(arrived_expert == j)[0]
            if len(mine):
                results[mine] = expert(arrived[mine])

        # 4. results back to the ranks the rows came from (splits swapped)
        returned = rows.new_empty(rows.shape)
        dist.all_to_all_single(returned, results, send_splits, recv_splits)

        # 5. combine with the routing weights, as deepseek/moe does
        weights = topk_weight.flatten()[order].unsqueeze(-1)
        routed = torch.zeros(tokens.shape, dtype=torch.float32, device=x.device)
        routed.index_add_(0, token_of, returned.float() * weights)
        out = routed
        if self.shared_experts is not None:
            out = out + self.shared_experts(tokens)
        return out.view(shape)
