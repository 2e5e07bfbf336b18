"""Advantages spread over the tokens in the wrong order: advantages.repeat(T).view(B, T)
lays out [A_0, A_1, ..., A_0, A_1, ...], so row i no longer holds A_i at every token
(repeat tiles the whole vector; repeat_interleave(T) would repeat each value in place).
The same happens with (B, T) * (B,), which lines the advantages up with the T axis and only
runs when T == B. One advantage per sequence, the same at each of its tokens:
advantages[:, None] is (B, 1) and broadcasts over T."""

import torch

from solutions.deepseek.grpo import *  # noqa: F401,F403 (the rest is correct)


def grpo_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    mask = mask.to(logp.dtype)
    logp_old, logp_ref = logp_old.detach(), logp_ref.detach()
    b, t = logp.shape
    adv = advantages.detach().to(logp.dtype).repeat(t).view(b, t)  # tiles, not per row
    ratio = torch.exp(logp - logp_old)
    surrogate = torch.minimum(ratio * adv, ratio.clamp(1 - clip_eps, 1 + clip_eps) * adv)
    log_ratio = logp_ref - logp
    kl = torch.exp(log_ratio) - log_ratio - 1
    per_token = torch.where(mask > 0, surrogate - beta * kl, torch.zeros_like(logp))
    return -(per_token.sum(dim=-1) / mask.sum(dim=-1)).mean()
