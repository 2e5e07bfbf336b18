"""Std over the whole batch: each group's rewards are centred on their own mean but divided
by the standard deviation of ALL the rewards in the batch. A group of easy questions (rewards
close together) then gets tiny advantages and a spread-out group huge ones, and every
group's advantages depend on which other questions share the batch. GRPO normalises within
each group: std over the last dim, rewards.std(dim=-1, keepdim=True)."""

import torch

from solutions.deepseek.grpo import *  # noqa: F401,F403 (the rest is correct)


def group_advantages(rewards: torch.Tensor, eps: float = 1e-4) -> torch.Tensor:
    mean = rewards.mean(dim=-1, keepdim=True)
    return (rewards - mean) / (rewards.std() + eps)
