"""load_balance_loss with the counts made by .float(): for bfloat16 / float16 scores, float32 f
times half P promotes the loss to float32; the contract keeps the scores' dtype.

Fix: counts = torch.bincount(...).to(scores.dtype).
"""

import torch

from solutions.deepseek.moe import *  # noqa: F401,F403 (the rest is correct)


def load_balance_loss(scores, topk_idx, alpha):
    T, E = scores.shape
    K = topk_idx.shape[-1]
    counts = torch.bincount(topk_idx.flatten(), minlength=E).float()  # wrong: always float32
    return alpha * (counts * E / (K * T) * scores.mean(dim=0)).sum()
