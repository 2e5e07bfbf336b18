"""Padding removed by multiplying with the mask: (per_token * mask).sum(-1). Where a padded
log-prob is huge, exp overflows to inf and inf * 0 = NaN: the whole loss becomes NaN, though the
contract says padding values change nothing.

Fix: torch.where(mask, x, 0) on the inputs before any exp.
"""

import torch

from solutions.deepseek.grpo import *  # noqa: F401,F403 (the rest is correct)


def grpo_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    mask = mask.to(logp.dtype)
    logp_old, logp_ref = logp_old.detach(), logp_ref.detach()
    adv = advantages.detach().to(logp.dtype)[:, None]
    ratio = torch.exp(logp - logp_old)
    surrogate = torch.minimum(ratio * adv, ratio.clamp(1 - clip_eps, 1 + clip_eps) * adv)
    d = logp_ref - logp
    per_token = (surrogate - beta * (torch.exp(d) - d - 1)) * mask  # wrong: inf * 0 = NaN
    return -(per_token.sum(-1) / mask.sum(-1)).mean()
