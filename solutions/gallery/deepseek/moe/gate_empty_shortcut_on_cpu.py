"""Gate returns early for N = 0 tokens with torch.empty(0, k) tensors made without device=: an
empty batch on a GPU gets its topk_idx / topk_weight on the CPU."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from katas.deepseek.config import DeepSeekConfig


class Gate(nn.Module):
    """DeepSeek's router: scores, (group-limited) top-k selection, routing weights."""

    def __init__(self, config: DeepSeekConfig):
        super().__init__()
        self.config = config
        self.weight = nn.Parameter(torch.empty(config.n_routed_experts, config.hidden_size))
        nn.init.normal_(self.weight, std=config.initializer_range)
        if config.topk_method == "noaux_tc":
            # float32 whatever the default dtype (as DeepSeek's own code builds it)
            self.register_buffer("e_score_correction_bias",
                                 torch.zeros(config.n_routed_experts, dtype=torch.float32))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (..., H) -> (topk_idx (N, k) int64, topk_weight (N, k) float32)."""
        c = self.config
        x = x.reshape(-1, x.shape[-1])
        if x.shape[0] == 0:
            k = c.num_experts_per_tok
            return torch.empty(0, k, dtype=torch.long), torch.empty(0, k)
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
            grouped = choice.view(len(x), c.n_group, c.n_routed_experts // c.n_group)  # (N, G, E/G)
            if c.topk_method == "noaux_tc":
                group_scores = grouped.topk(2, dim=-1).values.sum(dim=-1)
            else:
                group_scores = grouped.amax(dim=-1)
            keep = group_scores.topk(c.topk_group, dim=-1).indices        # (N, topk_group)
            dropped = torch.ones_like(group_scores, dtype=torch.bool).scatter(1, keep, False)
            choice = grouped.masked_fill(dropped.unsqueeze(-1), float("-inf")).flatten(1)

        topk_idx = choice.topk(c.num_experts_per_tok, dim=-1).indices     # (N, k)
        topk_weight = scores.gather(1, topk_idx)                          # unbiased scores
        if c.norm_topk_prob:
            topk_weight = topk_weight / topk_weight.sum(dim=-1, keepdim=True)
        return topk_idx, topk_weight * c.routed_scaling_factor


class Expert(nn.Module):
    """SwiGLU MLP: down_proj(silu(gate_proj(x)) * up_proj(x)), no biases."""

    def __init__(self, hidden_size: int, intermediate_size: int):
        super().__init__()
        self.gate_proj = nn.Linear(hidden_size, intermediate_size, bias=False)
        self.up_proj = nn.Linear(hidden_size, intermediate_size, bias=False)
        self.down_proj = nn.Linear(intermediate_size, hidden_size, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(..., hidden) -> (..., hidden)."""
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class MoE(nn.Module):
    """Routed experts + shared experts, vectorised dispatch; returns the FFN output only."""

    def __init__(self, config: DeepSeekConfig):
        super().__init__()
        self.config = config
        self.gate = Gate(config)
        self.experts = nn.ModuleList(Expert(config.hidden_size, config.moe_intermediate_size)
                                     for _ in range(config.n_routed_experts))
        self.shared_experts = (
            Expert(config.hidden_size, config.n_shared_experts * config.moe_intermediate_size)
            if config.n_shared_experts > 0 else None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, H) -> (B, T, H), no residual."""
        shape = x.shape
        tokens = x.reshape(-1, shape[-1])                                 # (N, H)
        topk_idx, topk_weight = self.gate(tokens)                         # (N, k) each
        k = topk_idx.shape[1]

        # Sort the N*k (token, expert) pairs by expert: each expert's tokens are contiguous.
        order = topk_idx.flatten().argsort()
        token_of = order // k                                             # which token
        counts = torch.bincount(topk_idx.flatten(), minlength=len(self.experts)).tolist()
        routed = torch.zeros(tokens.shape, dtype=torch.float32, device=x.device)
        start = 0
        for expert, count in zip(self.experts, counts):
            if count == 0:
                continue
            rows = token_of[start:start + count]
            weights = topk_weight.flatten()[order[start:start + count]].unsqueeze(-1)
            routed.index_add_(0, rows, expert(tokens[rows]).float() * weights)
            start += count

        out = routed.to(x.dtype)
        if self.shared_experts is not None:
            out = out + self.shared_experts(tokens)
        return out.view(shape)


def load_balance_loss(scores: torch.Tensor, topk_idx: torch.Tensor, alpha: float) -> torch.Tensor:
    """alpha * sum_i f_i * P_i with f_i = E/(K*T) * count_i and P_i = mean_t scores[t, i]."""
    T, E = scores.shape
    K = topk_idx.shape[-1]
    counts = torch.bincount(topk_idx.flatten(), minlength=E).to(scores.dtype)
    f = counts * E / (K * T)
    P = scores.mean(dim=0)
    return alpha * (f * P).sum()


def update_bias(bias: torch.Tensor, expert_counts: torch.Tensor, gamma: float) -> torch.Tensor:
    """bias + gamma * sign(mean(counts) - counts), as a new tensor."""
    load = expert_counts.to(torch.float64)
    return bias + gamma * torch.sign(load.mean() - load).to(bias.dtype)
