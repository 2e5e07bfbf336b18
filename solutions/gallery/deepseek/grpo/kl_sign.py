"""KL estimator the wrong way round: using log(pi/pi_ref) = logp - logp_ref where DeepSeekMath
has log(pi_ref/pi) = logp_ref - logp. Both versions are >= 0 and 0 at pi = pi_ref, so the
mistake hides; but pi/pi_ref - log(pi/pi_ref) - 1 is the unbiased estimate of the OTHER
divergence, KL(pi_ref || pi) taken over samples of pi, and its gradient grows exponentially
where pi overtakes pi_ref. The estimator is kl = exp(logp_ref - logp) - (logp_ref - logp) - 1."""

import torch

from solutions.deepseek.grpo import *  # noqa: F401,F403 (the rest is correct)


def grpo_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    mask = mask.to(logp.dtype)
    logp_old, logp_ref = logp_old.detach(), logp_ref.detach()
    adv = advantages.detach().to(logp.dtype)[:, None]
    ratio = torch.exp(logp - logp_old)
    surrogate = torch.minimum(ratio * adv, ratio.clamp(1 - clip_eps, 1 + clip_eps) * adv)
    log_ratio = logp - logp_ref  # wrong way round
    kl = torch.exp(log_ratio) - log_ratio - 1
    per_token = torch.where(mask > 0, surrogate - beta * kl, torch.zeros_like(logp))
    return -(per_token.sum(dim=-1) / mask.sum(dim=-1)).mean()
