"""Balance loss without the N'/(K'T) factor: f_i taken as the raw count (or count / T).
DeepSeek-V2 scales the count by E / (K * T) so that f_i is 1 for every expert under
perfectly balanced routing, and the loss is then exactly alpha whatever E, K and T are.
Fix: f = counts * E / (K * T)."""

import torch

from solutions.deepseek.moe import *  # noqa: F401,F403 (the rest is correct)


def load_balance_loss(scores: torch.Tensor, topk_idx: torch.Tensor, alpha: float) -> torch.Tensor:
    T, E = scores.shape
    counts = torch.bincount(topk_idx.flatten(), minlength=E).to(scores.dtype)
    return alpha * (counts / T * scores.mean(dim=0)).sum()
