"""Draws the init from a private torch.Generator with a fixed seed (to be reproducible without
touching the global random state): the bounds U(-1/sqrt(fan_in), 1/sqrt(fan_in)) are right,
but every MLP ever built starts from the same weights, whatever torch.manual_seed the caller
set, so restarts and ensemble members are all one model.

Fix: draw from torch's global generator (nn.Linear does; torch.rand without generator= too),
so the caller's seed decides."""

import math

import torch
import torch.nn.functional as F
from torch import nn

from solutions.modules.mlp import *  # noqa: F401,F403 (the rest is correct)


class MLP(nn.Module):
    def __init__(self, d_in: int, d_hidden: int, d_out: int):
        super().__init__()
        gen = torch.Generator().manual_seed(1234)

        def linear(a: int, b: int) -> nn.Linear:
            layer, k = nn.Linear(a, b), 1 / math.sqrt(a)
            with torch.no_grad():
                layer.weight.copy_(torch.rand(b, a, generator=gen) * 2 * k - k)
                layer.bias.copy_(torch.rand(b, generator=gen) * 2 * k - k)
            return layer

        self.fc1 = linear(d_in, d_hidden)
        self.fc2 = linear(d_hidden, d_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.relu(self.fc1(x)))
