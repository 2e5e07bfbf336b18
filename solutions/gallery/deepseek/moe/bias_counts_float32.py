"""update_bias compares the counts as float32 (expert_counts.float(), the usual cast before a
mean): float32 holds integers exactly only up to 2**24, so counts 2**24, 2**24 + 1 and
2**24 + 2 (mean 2**24 + 1) become 2**24, 2**24, 2**24 + 2: the expert exactly at the mean moves
and an underloaded one may not.

Fix: load = expert_counts.double() (float64 holds every count up to 2**53); cast only the step
to bias.dtype.
"""

import torch

from solutions.deepseek.moe import *  # noqa: F401,F403 (the rest is correct)


def update_bias(bias, expert_counts, gamma):
    load = expert_counts.float()  # wrong: 2**24 + 1 is 2**24 in float32
    return bias + gamma * torch.sign(load.mean() - load).to(bias.dtype)
