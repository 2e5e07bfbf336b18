"""KL folded into the reward: PPO-style RLHF subtracts beta * KL from the reward, so it
reaches the loss only as part of a (constant) advantage, A_i - beta * kl_t. GRPO instead
keeps the KL as its own term of the loss, differentiated through logp: that term pulls pi
back toward pi_ref with gradient beta * (1 - pi_ref/pi), which the folded version never
produces. Write loss = -mean_i (1/|o_i|) sum_t (surr_t - beta * kl_t) with kl_t depending on
logp."""

import torch

from solutions.deepseek.grpo import *  # noqa: F401,F403 (the rest is correct)


def grpo_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    mask = mask.to(logp.dtype)
    logp_old, logp_ref = logp_old.detach(), logp_ref.detach()
    log_ratio = (logp_ref - logp).detach()
    kl = torch.exp(log_ratio) - log_ratio - 1
    adv = advantages.detach().to(logp.dtype)[:, None] - beta * kl  # KL as a reward penalty
    ratio = torch.exp(logp - logp_old)
    surrogate = torch.minimum(ratio * adv, ratio.clamp(1 - clip_eps, 1 + clip_eps) * adv)
    per_token = torch.where(mask > 0, surrogate, torch.zeros_like(logp))
    return -(per_token.sum(dim=-1) / mask.sum(dim=-1)).mean()
