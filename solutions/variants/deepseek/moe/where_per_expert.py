"""Gate with a scatter-built group mask and sort-free top-k; MoE dispatch with torch.where(topk_idx == e) per expert and index_add_; float64 helpers."""

import torch
import torch.nn.functional as F
from torch import nn

from solutions.deepseek.config import DeepSeekConfig  # noqa: F401


class Gate(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.cfg = config
        self.weight = nn.Parameter(torch.randn(config.n_routed_experts, config.hidden_size) * 0.02)
        if config.topk_method == "noaux_tc":
            self.register_buffer("e_score_correction_bias", torch.zeros(config.n_routed_experts,
                                                                        dtype=torch.float32))

    def forward(self, x):
        c = self.cfg
        h = x.reshape(-1, x.shape[-1]).float()
        logits = F.linear(h, self.weight.float())
        scores = torch.softmax(logits, -1) if c.scoring_func == "softmax" else torch.sigmoid(logits)
        with torch.no_grad():
            choice = scores.clone()
            if c.topk_method == "noaux_tc":
                choice += self.e_score_correction_bias.float()
            if c.topk_method != "greedy" and c.n_group > 1:
                g = choice.reshape(choice.shape[0], c.n_group, c.n_routed_experts // c.n_group)
                if c.topk_method == "noaux_tc":
                    gs = g.sort(-1, descending=True).values[..., :2].sum(-1)
                else:
                    gs = g.max(-1).values
                best = gs.topk(c.topk_group, -1).indices
                keep = torch.zeros_like(gs).scatter_(1, best, 1.0).bool()
                choice = torch.where(keep[..., None], g, torch.full_like(g, float("-inf"))).reshape(
                    choice.shape)
            idx = choice.topk(c.num_experts_per_tok, -1).indices
        w = torch.gather(scores, 1, idx)
        if c.norm_topk_prob:
            w = w / w.sum(-1, keepdim=True)
        return idx, c.routed_scaling_factor * w


class Expert(nn.Module):
    def __init__(self, hidden_size, intermediate_size):
        super().__init__()
        self.gate_proj = nn.Linear(hidden_size, intermediate_size, bias=False)
        self.up_proj = nn.Linear(hidden_size, intermediate_size, bias=False)
        self.down_proj = nn.Linear(intermediate_size, hidden_size, bias=False)

    def forward(self, x):
        g = self.gate_proj(x)
        return self.down_proj(g * torch.sigmoid(g) * self.up_proj(x))


class MoE(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.gate = Gate(config)
        self.experts = nn.ModuleList([Expert(config.hidden_size, config.moe_intermediate_size)
                                      for _ in range(config.n_routed_experts)])
        n = config.n_shared_experts
        self.shared_experts = Expert(config.hidden_size, n * config.moe_intermediate_size) if n else None

    def forward(self, x):
        flat = x.reshape(-1, x.shape[-1])
        idx, w = self.gate(flat)
        acc = flat.new_zeros(flat.shape, dtype=torch.float32)
        for e, expert in enumerate(self.experts):
            tok, slot = torch.where(idx == e)
            if tok.numel() == 0:
                continue
            acc.index_add_(0, tok, expert(flat[tok]).float() * w[tok, slot, None])
        y = acc.to(x.dtype)
        if self.shared_experts is not None:
            y = y + self.shared_experts(flat)
        return y.reshape(x.shape)


def load_balance_loss(scores, topk_idx, alpha):
    T, E = scores.shape
    K = topk_idx.shape[-1]
    onehot = torch.zeros(topk_idx.reshape(-1, K).shape[0], E, dtype=scores.dtype, device=scores.device)
    onehot.scatter_(1, topk_idx.reshape(-1, K), 1.0)
    f = onehot.sum(0) * (E / (K * T))
    return alpha * torch.dot(f, scores.sum(0) / T)


def update_bias(bias, expert_counts, gamma):
    load = expert_counts.double()
    step = (load.mean() - load).sign() * gamma
    return bias + step.to(bias.dtype)
