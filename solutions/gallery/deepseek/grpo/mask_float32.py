"""The mask turned into numbers with mask.float() for the per-sequence sums: a float32 mask in
the arithmetic promotes the loss of bfloat16 (or float16) log-probs to float32, and the
contract says the loss has logp's dtype. Fix: mask.to(logp.dtype) (or keep it bool and use
torch.where, and count tokens with mask.sum(-1).to(logp.dtype)).
"""

import torch

from solutions.deepseek.grpo import *  # noqa: F401,F403 (the rest is correct)


def grpo_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    keep = mask.bool() if mask.dtype == torch.bool else mask > 0
    zero = torch.zeros((), dtype=logp.dtype, device=logp.device)
    logp = torch.where(keep, logp, zero)
    logp_old = torch.where(keep, logp_old.detach(), zero)
    logp_ref = torch.where(keep, logp_ref.detach(), zero)
    mask = keep.float()  # the mistake: float32 whatever logp's dtype
    adv = advantages.detach().to(logp.dtype)[:, None]

    ratio = torch.exp(logp - logp_old)
    surrogate = torch.minimum(ratio * adv, ratio.clamp(1 - clip_eps, 1 + clip_eps) * adv)
    log_ref_ratio = logp_ref - logp
    kl = torch.exp(log_ref_ratio) - log_ref_ratio - 1
    per_token = (surrogate - beta * kl) * mask
    per_sequence = per_token.sum(dim=-1) / mask.sum(dim=-1)
    return -per_sequence.mean()
