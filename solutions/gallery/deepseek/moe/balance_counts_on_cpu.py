"""The expert counts of the balance loss accumulated into a bare torch.zeros(E): a CPU
tensor whatever the device of the scores and indices. On a GPU the scatter_add_ of CUDA
indices into it, or its product with the CUDA P, fails (the meta device, a stand-in for a
GPU, shows it), though the values are right on a CPU.

Fix: scores.new_zeros(E) (or torch.bincount(topk_idx.flatten(), minlength=E), which stays on
the indices' device).
"""

import torch

from solutions.deepseek.moe import *  # noqa: F401,F403 (the rest is correct)


def load_balance_loss(scores, topk_idx, alpha):
    T, E = scores.shape
    K = topk_idx.shape[-1]
    ones = torch.ones(topk_idx.numel(), dtype=scores.dtype, device=scores.device)
    counts = torch.zeros(E, dtype=scores.dtype).scatter_add_(0, topk_idx.flatten(), ones)  # wrong
    return alpha * (counts * E / (K * T) * scores.mean(dim=0)).sum()
