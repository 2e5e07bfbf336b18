"""count_parameters sums the sizes as a tensor: torch.tensor([...]).sum() is a 0-dim tensor,
which compares equal to the int but breaks code that uses the count as a size, formats it
with :, or serialises it (and fails on a module without parameters: an empty float tensor).

Fix: sum Python ints: sum(p.numel() for p in module.parameters())."""

import torch

from solutions.modules.mlp import *  # noqa: F401,F403 (the rest is correct)


def count_parameters(module):
    return torch.tensor([p.numel() for p in module.parameters()], dtype=torch.int64).sum()
