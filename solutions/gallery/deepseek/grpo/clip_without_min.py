"""Clipping without the min: using clip(rho, 1 - eps, 1 + eps) * A alone. The min with the
unclipped rho * A is what makes PPO's clipping one-sided: with A > 0 a ratio that fell below
1 - eps must still be pushed up (the unclipped term is the smaller one), with A < 0 a ratio
above 1 + eps must still be pushed down. Clipping alone freezes those tokens (gradient 0)
exactly when the policy moved the wrong way. Write min(rho * A, clip(rho, ...) * A)."""

import torch

from solutions.deepseek.grpo import *  # noqa: F401,F403 (the rest is correct)


def grpo_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    mask = mask.to(logp.dtype)
    logp_old, logp_ref = logp_old.detach(), logp_ref.detach()
    adv = advantages.detach().to(logp.dtype)[:, None]
    ratio = torch.exp(logp - logp_old)
    surrogate = ratio.clamp(1 - clip_eps, 1 + clip_eps) * adv  # no min with ratio * adv
    log_ratio = logp_ref - logp
    kl = torch.exp(log_ratio) - log_ratio - 1
    per_token = torch.where(mask > 0, surrogate - beta * kl, torch.zeros_like(logp))
    return -(per_token.sum(dim=-1) / mask.sum(dim=-1)).mean()
