"""pi_ref/pi in the KL estimator built from probabilities, exp(logp_ref) / exp(logp), instead of
exp(logp_ref - logp). For a rare token (log-probs of -150 or less) float32 exp underflows to 0:
0 / 0 = NaN, and the loss and every gradient become NaN.

Fix: kl = torch.exp(logp_ref - logp) - (logp_ref - logp) - 1.
"""

import torch

from solutions.deepseek.grpo import *  # noqa: F401,F403 (the rest is correct)


def grpo_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    keep = mask.bool()
    zero = torch.zeros((), dtype=logp.dtype, device=logp.device)
    logp = torch.where(keep, logp, zero)
    logp_old = torch.where(keep, logp_old.detach(), zero)
    logp_ref = torch.where(keep, logp_ref.detach(), zero)
    adv = advantages.detach().to(logp.dtype)[:, None]
    ratio = torch.exp(logp - logp_old)
    surrogate = torch.minimum(ratio * adv, ratio.clamp(1 - clip_eps, 1 + clip_eps) * adv)
    log_ref_ratio = logp_ref - logp
    kl = torch.exp(logp_ref) / torch.exp(logp) - log_ref_ratio - 1  # underflows to 0 / 0
    per_token = torch.where(keep, surrogate - beta * kl, torch.zeros_like(logp))
    return -(per_token.sum(dim=-1) / keep.sum(dim=-1)).mean()
