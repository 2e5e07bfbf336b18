"""A hidden floor under the denominator, (std + eps).clamp_min(1e-8) "to be safe": with the
eps passed (an explicit eps=0.0 included) a group whose rewards spread by 1e-14 should get
advantages [-1, 0, 1], but the floor shrinks them a million-fold. The eps argument is the
only guard the contract has.

Fix: (r - mean) / (std + eps), with no floor of your own.
"""

import torch

from solutions.deepseek.grpo import *  # noqa: F401,F403 (the rest is correct)


def group_advantages(rewards: torch.Tensor, eps: float = 1e-4) -> torch.Tensor:
    mean = rewards.mean(dim=-1, keepdim=True)
    std = rewards.std(dim=-1, keepdim=True)
    return (rewards - mean) / (std + eps).clamp_min(1e-8)
