"""Builds raw parameters with torch.empty(..., dtype=torch.float32): under
torch.set_default_dtype(torch.float64) the layers stay float32 (nn.Linear's would be
float64), and a float64 x then fails in F.linear with a dtype mismatch.

Fix: leave dtype= out (torch.empty follows the default dtype, as nn.Linear does), or use
nn.Linear layers."""

import math

import torch
import torch.nn.functional as F
from torch import nn

from solutions.modules.mlp import *  # noqa: F401,F403 (the rest is correct)


class _Layer(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        bound = 1 / math.sqrt(d_in)
        self.weight = nn.Parameter(torch.empty(d_out, d_in, dtype=torch.float32).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(d_out, dtype=torch.float32).uniform_(-bound, bound))


class MLP(nn.Module):
    def __init__(self, d_in, d_hidden, d_out):
        super().__init__()
        self.fc1 = _Layer(d_in, d_hidden)
        self.fc2 = _Layer(d_hidden, d_out)

    def forward(self, x):
        h = F.relu(F.linear(x, self.fc1.weight, self.fc1.bias))
        return F.linear(h, self.fc2.weight, self.fc2.bias)
