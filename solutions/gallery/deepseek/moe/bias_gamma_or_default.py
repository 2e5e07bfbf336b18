"""update_bias with `gamma = gamma or 0.001`: an explicit gamma of 0.0 reads as "not given" and
the bias keeps moving. DeepSeek-V3 sets the bias update speed to 0.0 for its last 500B training
tokens, to freeze the routing bias: with this code it never freezes.

Fix: use the gamma you are given; 0.0 is a value.
"""

import torch

from solutions.deepseek.moe import *  # noqa: F401,F403 (the rest is correct)


def update_bias(bias, expert_counts, gamma):
    gamma = gamma or 0.001  # wrong: 0.0 is a value
    load = expert_counts.to(torch.float64)
    return bias + gamma * torch.sign(load.mean() - load).to(bias.dtype)
