"""Solution's gate and expert reused; MoE dispatch by a stable argsort and torch.split into per-expert segments, scatter back with index_add on a float64 buffer; loss via bincount."""

import torch

from solutions.deepseek.moe import Expert, Gate  # noqa: F401
from solutions.deepseek.moe import MoE as _Base


class MoE(_Base):
    def forward(self, x):
        flat = x.reshape(-1, x.shape[-1])
        idx, w = self.gate(flat)
        k = idx.shape[1]
        pairs = idx.reshape(-1)
        order = torch.sort(pairs, stable=True).indices
        sizes = torch.bincount(pairs, minlength=len(self.experts)).tolist()
        out = torch.zeros(flat.shape, dtype=torch.float64, device=x.device)
        for expert, seg in zip(self.experts, torch.split(order, sizes)):
            if seg.numel():
                rows = seg // k
                out.index_add_(0, rows, (expert(flat[rows]).double() * w.reshape(-1)[seg, None].double()))
        y = out.to(x.dtype)
        if self.shared_experts is not None:
            y = y + self.shared_experts(flat)
        return y.reshape(x.shape)


def load_balance_loss(scores, topk_idx, alpha):
    T, E = scores.shape
    K = topk_idx.shape[-1]
    f = torch.bincount(topk_idx.reshape(-1), minlength=E).to(scores.dtype) * (E / (K * T))
    return (f * scores.mean(0)).sum() * alpha


def update_bias(bias, expert_counts, gamma):
    c = expert_counts.to(torch.float64)
    return (bias.double() + gamma * torch.sign(c.mean() - c)).to(bias.dtype)
