"""update_bias with an integer mean (counts.sum() // E): int64 counts cannot .mean(), and floor
division rounds 1.5 down to 1, so an underloaded expert with count 1 is treated as balanced.

Fix: load = expert_counts.double(); load.mean() - load.
"""

import torch

from solutions.deepseek.moe import *  # noqa: F401,F403 (the rest is correct)


def update_bias(bias, expert_counts, gamma):
    mean = expert_counts.sum() // expert_counts.numel()  # wrong: floors the mean
    return bias + gamma * torch.sign(mean - expert_counts).to(bias.dtype)
