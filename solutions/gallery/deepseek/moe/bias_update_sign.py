"""Bias update with the sign reversed: bias += gamma * sign(load - mean). That raises the
bias of overloaded experts, so they are chosen even more often and the imbalance grows.
Aux-loss-free balancing does the opposite: DECREASE the bias of an overloaded expert,
increase it for an underloaded one: bias + gamma * sign(mean - load)."""

import torch

from solutions.deepseek.moe import *  # noqa: F401,F403 (the rest is correct)


def update_bias(bias: torch.Tensor, expert_counts: torch.Tensor, gamma: float) -> torch.Tensor:
    load = expert_counts.to(torch.float64)
    return bias + gamma * torch.sign(load - load.mean()).to(bias.dtype)
