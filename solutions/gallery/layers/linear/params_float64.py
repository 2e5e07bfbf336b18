"""The parameters created in float64 "for precision": the contract (like nn.Linear) says
float32; a float64 layer doubles memory, and float32 inputs meet float64 weights.

Fix: torch.empty(out_features, in_features) without a dtype (float32), and let .to(...) convert."""

import torch
from torch import nn

from solutions.layers.linear import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.linear import Linear as _Correct


class Linear(_Correct):
    def __init__(self, in_features, out_features, bias=True):
        nn.Module.__init__(self)
        self.in_features, self.out_features = in_features, out_features
        self.weight = nn.Parameter(torch.empty(out_features, in_features, dtype=torch.float64))
        if bias:
            self.bias = nn.Parameter(torch.empty(out_features, dtype=torch.float64))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def forward(self, x):
        y = x @ self.weight.T.to(x.dtype)
        return y + self.bias.to(x.dtype) if self.bias is not None else y
