"""Builds the layers from raw parameters initialised with torch.zeros: the keys, shapes and
forward are right, but every hidden unit starts identical and gets the same gradient, so
they stay identical forever (and with zero weights fc1 gets no gradient at all until fc2
moves): the network never learns more than one hidden feature.

Fix: use nn.Linear layers (they initialise themselves), or draw every weight and bias with
.uniform_(-1 / math.sqrt(fan_in), 1 / math.sqrt(fan_in))."""

import torch
import torch.nn.functional as F
from torch import nn

from solutions.modules.mlp import *  # noqa: F401,F403 (the rest is correct)


class _Layer(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(d_out, d_in))
        self.bias = nn.Parameter(torch.zeros(d_out))


class MLP(nn.Module):
    def __init__(self, d_in, d_hidden, d_out):
        super().__init__()
        self.fc1 = _Layer(d_in, d_hidden)
        self.fc2 = _Layer(d_hidden, d_out)

    def forward(self, x):
        h = F.relu(F.linear(x, self.fc1.weight, self.fc1.bias))
        return F.linear(h, self.fc2.weight, self.fc2.bias)
