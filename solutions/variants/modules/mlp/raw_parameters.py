"""Sub-modules holding raw nn.Parameters with F.linear, torch.where ReLU, counting by id-deduplicated named_parameters(remove_duplicate=False), formula factored."""

import math

import torch
import torch.nn.functional as F
from torch import nn


class _Layer(nn.Module):
    def __init__(self, d_in, d_out):
        super().__init__()
        bound = 1 / math.sqrt(d_in)
        self.weight = nn.Parameter(torch.empty(d_out, d_in).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(d_out).uniform_(-bound, bound))

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)


class MLP(nn.Module):
    def __init__(self, d_in, d_hidden, d_out):
        super().__init__()
        self.fc1 = _Layer(d_in, d_hidden)
        self.fc2 = _Layer(d_hidden, d_out)

    def forward(self, x):
        h = self.fc1(x)
        return self.fc2(torch.where(h > 0, h, torch.zeros((), dtype=h.dtype)))


def count_parameters(module):
    seen, total = set(), 0
    for _, p in module.named_parameters(remove_duplicate=False):
        if id(p) not in seen:
            seen.add(id(p))
            total += p.numel()
    return total


def mlp_param_count(d_in, d_hidden, d_out, bias=True):
    per_hidden = d_in + d_out + (1 if bias else 0)
    return d_hidden * per_hidden + (d_out if bias else 0)
