"""Padding tokens counted: the masked per-token terms are summed correctly but divided by T,
the padded length, instead of |o_i| = mask[i].sum(). Every short completion is shrunk toward
zero by |o_i| / T, so the update depends on how much padding the batch happened to need.
Divide each sequence's sum by its own token count."""

import torch

from solutions.deepseek.grpo import *  # noqa: F401,F403 (the rest is correct)


def grpo_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    mask = mask.to(logp.dtype)
    logp_old, logp_ref = logp_old.detach(), logp_ref.detach()
    adv = advantages.detach().to(logp.dtype)[:, None]
    ratio = torch.exp(logp - logp_old)
    surrogate = torch.minimum(ratio * adv, ratio.clamp(1 - clip_eps, 1 + clip_eps) * adv)
    log_ratio = logp_ref - logp
    kl = torch.exp(log_ratio) - log_ratio - 1
    per_token = (surrogate - beta * kl) * mask
    return -per_token.mean(dim=-1).mean()  # divides by T, padding included
