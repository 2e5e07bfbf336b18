"""Works in float64 internally and casts back; masked sums via masked_fill; advantages via var(correction=1).sqrt()."""

import torch


def group_advantages(rewards, eps=1e-4):
    r = rewards.double()
    centred = r - r.mean(-1, keepdim=True)
    std = r.var(dim=-1, correction=1, keepdim=True).sqrt()
    return (centred / (std + eps)).to(rewards.dtype)


def grpo_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    pad = ~(mask.bool() if mask.dtype == torch.bool else mask != 0)
    lp = logp.double().masked_fill(pad, 0.0)
    lo = logp_old.detach().double().masked_fill(pad, 0.0)
    lr = logp_ref.detach().double().masked_fill(pad, 0.0)
    a = advantages.detach().double().unsqueeze(1)
    rho = (lp - lo).exp()
    surr = torch.min(rho * a, torch.clamp(rho, 1 - clip_eps, 1 + clip_eps) * a)
    x = lr - lp
    kl = x.exp() - x - 1
    obj = (surr - beta * kl).masked_fill(pad, 0.0)
    n = (~pad).sum(-1).double()
    return (-(obj.sum(-1) / n).sum() / logp.shape[0]).to(logp.dtype)
