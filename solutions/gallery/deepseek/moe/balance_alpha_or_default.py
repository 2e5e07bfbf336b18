"""load_balance_loss with `alpha = alpha or 0.001`: alpha=0.0, the way to turn the balance loss
off (DeepSeek-V3 relies on the bias instead), silently becomes 0.001 and the loss keeps pushing
the gate.

Fix: use the alpha you are given; 0.0 is a value.
"""

import torch

from solutions.deepseek.moe import *  # noqa: F401,F403 (the rest is correct)


def load_balance_loss(scores, topk_idx, alpha):
    alpha = alpha or 0.001  # wrong: 0.0 is a value
    T, E = scores.shape
    K = topk_idx.shape[-1]
    counts = torch.bincount(topk_idx.flatten(), minlength=E).to(scores.dtype)
    return alpha * (counts * E / (K * T) * scores.mean(dim=0)).sum()
