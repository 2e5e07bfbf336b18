"""The ratio built from probabilities, exp(logp) / exp(logp_old), instead of from the difference
of log-probs. Equal in exact arithmetic, but a sampled rare token has a log-prob of -150 or
less, where float32 exp underflows to 0: the ratio is 0 / 0 = NaN and the whole loss is NaN.

Fix: rho = torch.exp(logp - logp_old): the difference is moderate even when both are huge.
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
    ratio = torch.exp(logp) / torch.exp(logp_old)  # underflows to 0 / 0
    surrogate = torch.minimum(ratio * adv, ratio.clamp(1 - clip_eps, 1 + clip_eps) * adv)
    log_ref_ratio = logp_ref - logp
    kl = torch.exp(log_ref_ratio) - log_ref_ratio - 1
    per_token = torch.where(keep, surrogate - beta * kl, torch.zeros_like(logp))
    return -(per_token.sum(dim=-1) / keep.sum(dim=-1)).mean()
