"""A bool mask kept out of the arithmetic with torch.where, but a 0./1. float mask used as
weights, (per_token * mask): where a padded log-prob is huge, exp overflows to inf and
inf * 0 = NaN, so with a float mask the loss (or its gradient) is NaN, though the contract
says padding values change nothing whatever the mask's dtype.

Fix: turn any mask into bool first (mask > 0) and take the same torch.where path."""

import torch

from solutions.deepseek.grpo import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.grpo import grpo_loss as _bool_path


def grpo_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    if mask.dtype == torch.bool:
        return _bool_path(logp, logp_old, logp_ref, advantages, mask, clip_eps, beta)
    m = mask.to(logp.dtype)  # a 0./1. mask: weigh the tokens by it (wrong: 0 * inf = NaN)
    adv = advantages.detach().to(logp.dtype)[:, None]
    ratio = torch.exp(logp - logp_old.detach())
    surrogate = torch.minimum(ratio * adv, ratio.clamp(1 - clip_eps, 1 + clip_eps) * adv)
    log_ref_ratio = logp_ref.detach() - logp
    kl = torch.exp(log_ref_ratio) - log_ref_ratio - 1
    per_token = (surrogate - beta * kl) * m
    return -(per_token.sum(-1) / m.sum(-1)).mean()
