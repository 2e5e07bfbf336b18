"""Counts the state_dict instead of the parameters: state_dict() also holds buffers
(BatchNorm's running_mean, running_var, num_batches_tracked), which are state but not
parameters, and it lists a tied weight under each of its names.

Count module.parameters(): sum(p.numel() for p in module.parameters())."""

from torch import nn

from solutions.modules.mlp import *  # noqa: F401,F403 (the rest is correct)


def count_parameters(module: nn.Module) -> int:
    return sum(t.numel() for t in module.state_dict().values())
