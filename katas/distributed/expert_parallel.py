"""Day 46 — distributed/expert_parallel: the DeepSeek MoE with its experts split across ranks.

DeepSeek-V3 has 256 routed experts per layer: no device holds them all. Expert parallelism
(EP) gives each of W ranks E / W of them. Every rank routes its OWN tokens with the (shared,
replicated) gate, sends each (token, expert) pair to the rank that owns the expert with one
all_to_all, the owners run their experts on what arrived, a second all_to_all brings the
results back, and each rank combines them with its routing weights exactly as deepseek/moe
does. The output equals the single-process MoE's on the same tokens.

Write:
    ExpertParallelMoE(moe) -> nn.Module, built on every rank of the default process group
        (dist.get_rank() = r, dist.get_world_size() = W; W = 1 works too) from a full
        deepseek/moe MoE with the same weights on every rank.
        E = moe.config.n_routed_experts must be a multiple of W, else ValueError naming E
            and W ("8 experts cannot be split evenly over 3 ranks"), raised before any
            communication. L = E / W experts per rank.
        Rank r owns the contiguous experts r*L .. (r+1)*L - 1.
        Attributes (its only parameters and buffers, the same modules as moe's or copies):
            gate = moe.gate (replicated: every rank routes its own tokens),
            shared_experts = moe.shared_experts (replicated; None when the MoE has none),
            experts = nn.ModuleList of its L experts: experts[j] is moe.experts[r*L + j].
            State-dict keys: gate.weight (+ gate.e_score_correction_bias),
            experts.{j}.{gate,up,down}_proj.weight for j < L, shared_experts.*.
        forward(x (B, T, H)) -> (B, T, H), x's dtype: this rank's tokens only (x may be
            non-contiguous). B and T may differ between ranks, and a rank may have no tokens
            at all (B*T = 0): it still takes part in every all_to_all (others may send it
            nothing and wait for nothing, but the collective needs every rank).
            1. topk_idx, topk_weight = self.gate(tokens) (tokens = x flattened to (N, H)).
            2. Dispatch: each of the N*k (token, expert) pairs goes to rank
               topk_idx // L. Exchange how many rows each rank sends every other rank
               (an all_to_all of W counts), then all_to_all_single the token rows with
               input_split_sizes = rows this rank sends to each rank and
               output_split_sizes = rows it receives from each (the counts just
               received: the two lists differ whenever routing is uneven). The owner also
               needs each row's expert (send the local expert index, or per-expert counts).
            3. The owner runs each of its experts ONCE on all rows for it (from every rank
               together: one call per expert, never one per source rank; no call, or one on
               zero rows, for an expert nobody chose).
            4. Return: all_to_all_single the result rows back, with the split sizes swapped.
            5. Combine as deepseek/moe: y_t = sum_j topk_weight[t, j] * result[t, j] in
               float32, cast to x's dtype, plus shared_experts(tokens) (on this rank, for
               its own tokens). No residual.
            Equal to moe(x) on every rank (to float32 rounding; float64 x to 1e-10).
        Communication: only dist.all_to_all_single / dist.all_to_all (called as
            dist.<name>), no other collective or send/recv. (On gloo, the list form
            dist.all_to_all needs tensors of equal sizes: use all_to_all_single with split
            sizes for the rows.) Bytes: per forward, the
            all_to_all inputs of all ranks together total at most
                2 * N_all * k * H * x.element_size()      (token rows out, result rows back)
              + 2 * (N_all * k + W * W) * 8               (int64 counts and expert indices)
            with N_all the number of tokens over all ranks: bounded by tokens x top_k x
            hidden. Each (token, expert) pair's row travels once to its expert's owner and
            once back (a rank sends back exactly the rows it received); never the whole
            batch to every rank, never every expert's output.
        Forward only: called under torch.no_grad() (all_to_all is not differentiable).

Off limits: none besides the communication rule; deepseek/moe's Gate and Expert are yours to use.
Inputs must not be modified. Each rank computes only its own L experts.
Run: pytest katas/distributed/expert_parallel.py
"""

from __future__ import annotations

import torch
import torch.distributed as dist
from torch import nn

from katas.deepseek.moe import MoE


class ExpertParallelMoE(nn.Module):
    """A deepseek/moe MoE whose routed experts are split evenly over the ranks."""

    def __init__(self, moe: MoE):
        super().__init__()
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, H) -> (B, T, H): route, all_to_all out, local experts, all_to_all back, combine."""
        raise NotImplementedError
