"""With bias=False the layer never sets self.bias (`if bias: self.bias = nn.Parameter(...)`
and no else), and forward checks hasattr(self, "bias"): the output is right, but
layer.bias raises AttributeError where nn.Linear gives None, so the usual model code
`if m.bias is not None: nn.init.zeros_(m.bias)` (GPT-2's _init_weights, for one) crashes on
it.

Fix: self.register_parameter("bias", None) when bias=False (or self.bias = None), and test
`self.bias is not None` in forward."""

import math

import torch
from torch import nn

from solutions.layers.linear import *  # noqa: F401,F403 (the rest is correct)


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        bound = 1.0 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(out_features, in_features).uniform_(-bound, bound))
        if bias:
            self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound))

    def forward(self, x):
        y = x @ self.weight.T
        if hasattr(self, "bias"):
            y = y + self.bias
        return y
