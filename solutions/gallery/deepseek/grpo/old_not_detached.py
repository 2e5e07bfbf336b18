"""Old log-probs not detached: the ratio exp(logp - logp_old) lets gradients flow into
logp_old. With one update per sampling stage (GRPO's usual setting, and TRL's default) the
caller passes logp itself as logp_old, and then the ratio is exp(logp - logp) = 1 as a
FUNCTION, not only as a value: its gradient is 0 and the policy never learns. logp_old is a
constant: exp(logp - logp_old.detach()) keeps the value 1 and the gradient grad log pi."""

import torch

from solutions.deepseek.grpo import *  # noqa: F401,F403 (the rest is correct)


def grpo_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    mask = mask.to(logp.dtype)
    logp_ref = logp_ref.detach()
    adv = advantages.detach().to(logp.dtype)[:, None]
    ratio = torch.exp(logp - logp_old)  # logp_old not detached
    surrogate = torch.minimum(ratio * adv, ratio.clamp(1 - clip_eps, 1 + clip_eps) * adv)
    log_ratio = logp_ref - logp
    kl = torch.exp(log_ratio) - log_ratio - 1
    per_token = torch.where(mask > 0, surrogate - beta * kl, torch.zeros_like(logp))
    return -(per_token.sum(dim=-1) / mask.sum(dim=-1)).mean()
