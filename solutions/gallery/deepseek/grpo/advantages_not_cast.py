"""Advantages used in their own dtype: float64 advantages (group_advantages of float64 rewards)
times float32 ratios promote the loss to float64; the contract says the loss has logp's dtype.

Fix: advantages.to(logp.dtype).
"""

import torch

from solutions.deepseek import grpo as _sol
from solutions.deepseek.grpo import *  # noqa: F401,F403 (the rest is correct)


def grpo_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
    loss = _sol.grpo_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps, beta)
    return loss.to(torch.promote_types(logp.dtype, advantages.dtype))  # wrong: promotes
