"""Mask ignored: the per-token terms of the padding positions are summed with the real ones
(and counted in the average). Whatever the model's log-probs are at pad tokens then moves the
loss and sends gradients into positions that were never generated. Select the completion
tokens, torch.where(mask, per_token, 0), and divide by mask.sum(-1)."""

import torch

from solutions.deepseek.grpo import *  # noqa: F401,F403 (the rest is correct)


def grpo_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    logp_old, logp_ref = logp_old.detach(), logp_ref.detach()
    adv = advantages.detach().to(logp.dtype)[:, None]
    ratio = torch.exp(logp - logp_old)
    surrogate = torch.minimum(ratio * adv, ratio.clamp(1 - clip_eps, 1 + clip_eps) * adv)
    log_ratio = logp_ref - logp
    kl = torch.exp(log_ratio) - log_ratio - 1
    return -(surrogate - beta * kl).mean(dim=-1).mean()
