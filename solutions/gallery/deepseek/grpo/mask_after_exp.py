"""Padding zeroed AFTER the exp: torch.where(mask, per_token, 0) hides the padded terms from the
loss, but the backward still runs through exp(logp - logp_old) and exp(logp_ref - logp) at the
padding, where a huge finite value overflows: 0 * inf = NaN in the gradient of logp.

Fix: replace the padded logp, logp_old, logp_ref by 0 with torch.where BEFORE computing anything.
"""

import torch

from solutions.deepseek.grpo import *  # noqa: F401,F403 (the rest is correct)


def grpo_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    mask = mask.to(logp.dtype)
    logp_old, logp_ref = logp_old.detach(), logp_ref.detach()
    adv = advantages.detach().to(logp.dtype)[:, None]
    ratio = torch.exp(logp - logp_old)
    surrogate = torch.minimum(ratio * adv, ratio.clamp(1 - clip_eps, 1 + clip_eps) * adv)
    log_ref_ratio = logp_ref - logp
    kl = torch.exp(log_ref_ratio) - log_ref_ratio - 1
    per_token = torch.where(mask > 0, surrogate - beta * kl, torch.zeros_like(logp))  # wrong: too late
    return -(per_token.sum(-1) / mask.sum(-1)).mean()
