"""update_bias building its step in a bare torch.zeros(E) (the default device, the CPU): on a GPU,
where the training loop keeps the bias and bincount's counts, adding the CPU step to the
CUDA bias fails (or, with .to(bias.device) copies, each step is a round trip through the host).

Fix: build helpers where the inputs are: torch.zeros_like(bias), or compute
torch.sign(mean - counts) directly on the counts' device.
"""

import torch

from solutions.deepseek.moe import *  # noqa: F401,F403 (the rest is correct)


def update_bias(bias, expert_counts, gamma):
    load = expert_counts.to(torch.float64)
    step = torch.zeros(len(bias), dtype=bias.dtype)  # wrong: on the default device
    step += torch.sign(load.mean() - load).to(bias.dtype)
    return bias + gamma * step
