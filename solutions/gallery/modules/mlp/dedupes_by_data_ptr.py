"""Counts a tied weight once by keying each parameter on (data_ptr(), shape): right for real
tensors, but on the meta device every data_ptr() is 0, so distinct parameters of one shape
(three Linear(64, 64) layers) collapse into one and the count comes out too small.

Fix: sum(p.numel() for p in module.parameters()): it yields each Parameter object once.
"""

from torch import nn

from solutions.modules.mlp import *  # noqa: F401,F403 (the rest is correct)


def count_parameters(module: nn.Module) -> int:
    sizes = {}
    for _, p in module.named_parameters(remove_duplicate=False):
        sizes[(p.data_ptr(), tuple(p.shape))] = p.numel()
    return sum(sizes.values())
