"""Both log-ratios clamped to [-20, 20] before the exp (a guard against overflow copied from
a PPO codebase): rho = exp((logp - logp_old).clamp(-20, 20)). A token whose probability rose
by e^22 since sampling, with a negative advantage, should get the unclipped rho * A (the min
keeps it, to push the ratio back down); the clamp caps it at e^20 and gives it gradient 0.
The contract's log-ratios are finite whatever their size, and the formula has no cap.

Fix: rho = torch.exp(logp - logp_old) and pi_ref/pi = torch.exp(logp_ref - logp), unclamped.
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
    rho = torch.exp((lp - lp_old).clamp(-20, 20))  # wrong: no cap in the contract
    surr = torch.minimum(rho * adv, rho.clamp(1 - clip_eps, 1 + clip_eps) * adv)
    d = (lp_ref - lp).clamp(-20, 20)
    kl = torch.exp(d) - d - 1
    per_token = torch.where(keep, surr - beta * kl, zero)
    return -(per_token.sum(-1) / keep.sum(-1)).mean()
