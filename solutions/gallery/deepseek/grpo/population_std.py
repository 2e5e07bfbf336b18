"""Population std where the unbiased one was asked: dividing the squared deviations by G
instead of G - 1 (torch.std(..., unbiased=False), numpy's default) makes every advantage
sqrt(G / (G - 1)) times larger: for rewards [1, 0, 0, 0], 1.73 instead of 1.5. This kata,
like TRL's GRPOTrainer, uses torch.std's default (Bessel-corrected) estimate."""

import torch

from solutions.deepseek.grpo import *  # noqa: F401,F403 (the rest is correct)


def group_advantages(rewards: torch.Tensor, eps: float = 1e-4) -> torch.Tensor:
    mean = rewards.mean(dim=-1, keepdim=True)
    std = rewards.std(dim=-1, keepdim=True, unbiased=False)
    return (rewards - mean) / (std + eps)
