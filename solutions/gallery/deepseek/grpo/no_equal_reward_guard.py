"""No guard for a group with equal rewards: (r - mean) / std is 0 / 0 = NaN when every
output of a group got the same reward (all right or all wrong, common with 0/1 rewards).
One NaN advantage turns the whole loss, and then every weight, into NaN. Add a small eps to
the std, (r - mean) / (std + eps): such a group then gets advantage 0 and no gradient,
which is right, since it says nothing about which output was better."""

import torch

from solutions.deepseek.grpo import *  # noqa: F401,F403 (the rest is correct)


def group_advantages(rewards: torch.Tensor, eps: float = 1e-4) -> torch.Tensor:
    mean = rewards.mean(dim=-1, keepdim=True)
    return (rewards - mean) / rewards.std(dim=-1, keepdim=True)
