"""A shortcut for the frozen bias: `if gamma == 0: return bias` hands back the caller's own
tensor instead of a new one. The values are right, but the contract promises a NEW tensor:
a training loop that then adjusts the result in place (new.clamp_(...), new.zero_()) writes
into the old bias, which the gate may still hold as its buffer.

Fix: always compute bias + gamma * sign(mean(counts) - counts) (0.0 * sign(...) leaves the
values as they are), or return bias.clone().
"""

import torch

from solutions.deepseek.moe import *  # noqa: F401,F403 (the rest is correct)


def update_bias(bias: torch.Tensor, expert_counts: torch.Tensor, gamma: float) -> torch.Tensor:
    if gamma == 0:
        return bias  # wrong: the caller's tensor, not a new one
    load = expert_counts.to(torch.float64)
    return bias + gamma * torch.sign(load.mean() - load).to(bias.dtype)
