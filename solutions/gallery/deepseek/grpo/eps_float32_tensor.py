"""eps kept as a float32 tensor, (std + torch.tensor(eps)): float64 rewards still give a float64
result, but eps = 0.1 rounded to float32 (0.10000000149...) shifts every advantage by ~1e-9
relative, which a float64 computation must not lose.

Fix: add the Python float eps itself, (r - mean) / (std + eps), in the rewards' dtype.
"""

import torch

from solutions.deepseek.grpo import *  # noqa: F401,F403 (the rest is correct)


def group_advantages(rewards: torch.Tensor, eps: float = 1e-4) -> torch.Tensor:
    mean = rewards.mean(dim=-1, keepdim=True)
    std = rewards.std(dim=-1, keepdim=True)
    return (rewards - mean) / (std + torch.tensor(eps))
