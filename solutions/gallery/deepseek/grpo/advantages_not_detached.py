"""The advantages used as given, not detached. When the rewards come from a learned reward model
that requires grad, group_advantages carries its graph into the loss and the backward pushes
gradients into the reward model (and through the group mean and std): the loss trains the
judge, not only the policy. The advantages are constants, like logp_old and logp_ref.

Fix: adv = advantages.detach().to(logp.dtype)[:, None].
"""

import torch

from solutions.deepseek.grpo import *  # noqa: F401,F403 (the rest is correct)


def grpo_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    keep = mask.bool()
    zero = torch.zeros((), dtype=logp.dtype, device=logp.device)
    logp = torch.where(keep, logp, zero)
    logp_old = torch.where(keep, logp_old.detach(), zero)
    logp_ref = torch.where(keep, logp_ref.detach(), zero)
    adv = advantages.to(logp.dtype)[:, None]  # not detached
    ratio = torch.exp(logp - logp_old)
    surrogate = torch.minimum(ratio * adv, ratio.clamp(1 - clip_eps, 1 + clip_eps) * adv)
    log_ref_ratio = logp_ref - logp
    kl = torch.exp(log_ref_ratio) - log_ref_ratio - 1
    per_token = torch.where(keep, surrogate - beta * kl, torch.zeros_like(logp))
    return -(per_token.sum(dim=-1) / keep.sum(dim=-1)).mean()
