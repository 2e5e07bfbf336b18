"""The per-sequence terms collected in a buffer made with a bare torch.zeros(B,
dtype=logp.dtype): it lives on the CPU whatever logp's device. On a GPU each per_seq[i] = ...
copies a value back to the host (a sync per sequence), and the loss comes out on the CPU,
not on logp's device as the contract says (the meta device, a stand-in for a GPU, shows it).

Fix: logp.new_zeros(B) (or torch.stack the per-sequence terms, or compute them all at once
with masked sums over the time axis).
"""

import torch

from solutions.deepseek.grpo import *  # noqa: F401,F403 (the rest is correct)


def grpo_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    keep = mask.bool()
    zero = torch.zeros((), dtype=logp.dtype, device=logp.device)
    lp = torch.where(keep, logp, zero)
    lp_old = torch.where(keep, logp_old.detach(), zero)
    lp_ref = torch.where(keep, logp_ref.detach(), zero)
    adv = advantages.detach().to(logp.dtype)
    B = logp.shape[0]
    per_seq = torch.zeros(B, dtype=logp.dtype)  # wrong: no device=
    for i in range(B):
        rho = torch.exp(lp[i] - lp_old[i])
        surr = torch.minimum(rho * adv[i], rho.clamp(1 - clip_eps, 1 + clip_eps) * adv[i])
        d = lp_ref[i] - lp[i]
        kl = torch.exp(d) - d - 1
        per_seq[i] = torch.where(keep[i], surr - beta * kl, zero).sum() / keep[i].sum()
    return -per_seq.mean()
