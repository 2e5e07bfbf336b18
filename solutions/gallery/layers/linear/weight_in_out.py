"""Weight stored as (in_features, out_features) so the forward can be x @ weight. The maths
works, but the layout differs from nn.Linear's (out_features, in_features): a state_dict
saved from nn.Linear (or from a pretrained model) no longer loads, and a square layer would
load silently transposed. Fix: weight = nn.Parameter(torch.empty(out_features, in_features))
and forward x @ weight.T + bias."""

import math

import torch
from torch import nn

from solutions.layers.linear import *  # noqa: F401,F403 (the rest is correct)


class Linear(nn.Module):
    def __init__(self, in_features: int, out_features: int, bias: bool = True):
        super().__init__()
        bound = 1.0 / math.sqrt(in_features)
        self.weight = nn.Parameter(torch.empty(in_features, out_features).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(out_features).uniform_(-bound, bound)) if bias else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x @ self.weight
        return y if self.bias is None else y + self.bias
