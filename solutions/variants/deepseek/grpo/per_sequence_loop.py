"""Loops over groups and sequences, selecting each sequence's completion tokens with boolean indexing (padding never touched)."""

import torch


def group_advantages(rewards, eps=1e-4):
    rows = []
    for row in rewards:
        G = row.shape[0]
        mean = row.sum() / G
        std = torch.sqrt(((row - mean) ** 2).sum() / (G - 1))
        rows.append((row - mean) / (std + eps))
    return torch.stack(rows) if rows else rewards.clone()


def grpo_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    keep = mask.bool() if mask.dtype == torch.bool else mask > 0.5
    total = logp.new_zeros(())
    for i in range(logp.shape[0]):
        lp = logp[i][keep[i]]
        lo = logp_old[i][keep[i]].detach()
        lr = logp_ref[i][keep[i]].detach()
        A = advantages[i].detach().to(logp.dtype)
        rho = torch.exp(lp - lo)
        surr = torch.minimum(rho * A, rho.clamp(1 - clip_eps, 1 + clip_eps) * A)
        kl = torch.exp(lr - lp) - (lr - lp) - 1
        total = total + (surr - beta * kl).mean()
    return -total / logp.shape[0]
