"""Layers registered through add_module, forward by einsum with nn.ReLU, counting by walking modules with recurse=False and a seen set, math.prod over shapes."""

import math

import torch
from torch import nn


class MLP(nn.Module):
    def __init__(self, d_in, d_hidden, d_out):
        super().__init__()
        self.add_module("fc1", nn.Linear(d_in, d_hidden))
        self.add_module("fc2", nn.Linear(d_hidden, d_out))
        self.act = nn.ReLU()

    def forward(self, x):
        h = self.act(torch.einsum("...i,oi->...o", x, self.fc1.weight) + self.fc1.bias)
        return torch.einsum("...i,oi->...o", h, self.fc2.weight) + self.fc2.bias


def count_parameters(module):
    seen = set()
    total = 0
    for m in module.modules():
        for p in m.parameters(recurse=False):
            if id(p) not in seen:
                seen.add(id(p))
                total += math.prod(p.shape)
    return int(total)


def mlp_param_count(d_in, d_hidden, d_out, bias=True):
    layers = ((d_in, d_hidden), (d_hidden, d_out))
    return sum(a * b + (b if bias else 0) for a, b in layers)
