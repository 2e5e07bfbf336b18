"""Day 5 — modules/mlp: reference solution."""

import torch
import torch.nn.functional as F
from torch import nn


class MLP(nn.Module):
    """fc2(relu(fc1(x))) with state_dict keys fc1.weight, fc1.bias, fc2.weight, fc2.bias."""

    def __init__(self, d_in: int, d_hidden: int, d_out: int):
        super().__init__()
        # Assigning a Module as an attribute registers it (and its parameters) under that name.
        self.fc1 = nn.Linear(d_in, d_hidden)
        self.fc2 = nn.Linear(d_hidden, d_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(..., d_in) -> (..., d_out)."""
        return self.fc2(F.relu(self.fc1(x)))


def count_parameters(module: nn.Module) -> int:
    """Scalar parameters of module, a shared (tied) parameter counted once."""
    # parameters() walks every sub-module and yields each Parameter object only once.
    return sum(p.numel() for p in module.parameters())


def mlp_param_count(d_in: int, d_hidden: int, d_out: int, bias: bool = True) -> int:
    """Closed-form parameter count of Linear(d_in, d_hidden) -> Linear(d_hidden, d_out)."""
    weights = d_in * d_hidden + d_hidden * d_out
    biases = d_hidden + d_out if bias else 0
    return weights + biases
