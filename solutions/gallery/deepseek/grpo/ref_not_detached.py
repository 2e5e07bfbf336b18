"""Reference log-probs not detached: the KL term then differentiates into logp_ref too. When
the caller computes logp_ref from a graph that shares parameters with the policy (a LoRA
adapter switched off, or logp_ref built from logp), the gradient that should pull pi toward
pi_ref also drags pi_ref along, or cancels out. pi_ref is frozen: use logp_ref.detach()."""

import torch

from solutions.deepseek.grpo import *  # noqa: F401,F403 (the rest is correct)


def grpo_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    mask = mask.to(logp.dtype)
    logp_old = logp_old.detach()
    adv = advantages.detach().to(logp.dtype)[:, None]
    ratio = torch.exp(logp - logp_old)
    surrogate = torch.minimum(ratio * adv, ratio.clamp(1 - clip_eps, 1 + clip_eps) * adv)
    log_ratio = logp_ref - logp  # logp_ref not detached
    kl = torch.exp(log_ratio) - log_ratio - 1
    per_token = torch.where(mask > 0, surrogate - beta * kl, torch.zeros_like(logp))
    return -(per_token.sum(dim=-1) / mask.sum(dim=-1)).mean()
