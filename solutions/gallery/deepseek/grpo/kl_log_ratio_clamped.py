"""The KL's log-ratio clamped for "stability", as some RLHF codebases do: d = (logp_ref -
logp).clamp(-10, 10) before kl = exp(d) - d - 1. Where the policy has drifted far from the
reference on a token (log(pi_ref/pi) = 15, finite and allowed), the KL is e^10 instead of
e^15 and its gradient there is 0: the penalty stops pulling exactly where it matters most.

Fix: kl = torch.exp(logp_ref - logp) - (logp_ref - logp) - 1 with the difference as it is.
"""

import torch

from solutions.deepseek.grpo import *  # noqa: F401,F403 (the rest is correct)


def grpo_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    keep = mask.bool()
    zero = torch.zeros((), dtype=logp.dtype, device=logp.device)
    lp = torch.where(keep, logp, zero)
    lp_old = torch.where(keep, logp_old.detach(), zero)
    lp_ref = torch.where(keep, logp_ref.detach(), zero)
    adv = advantages.detach().to(logp.dtype)[:, None]
    rho = torch.exp(lp - lp_old)
    surr = torch.minimum(rho * adv, rho.clamp(1 - clip_eps, 1 + clip_eps) * adv)
    d = (lp_ref - lp).clamp(-10, 10)  # wrong: the contract has no cap
    kl = torch.exp(d) - d - 1
    per_token = torch.where(keep, surr - beta * kl, zero)
    return -(per_token.sum(-1) / keep.sum(-1)).mean()
