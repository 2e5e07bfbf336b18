"""The parameters created with an explicit dtype=torch.float32: nn.Linear makes them in torch's
default dtype, so under torch.set_default_dtype(torch.float64) this layer stays float32 and a
float64 x fails in x @ weight.T ("expected m1 and m2 to have the same dtype").

Fix: torch.empty(out_features, in_features) without dtype= (torch's default dtype, float32
unless the caller changed it), and let .to(...) convert."""

import torch
from torch import nn

from solutions.layers.linear import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.linear import Linear as _Correct


class Linear(_Correct):
    def __init__(self, in_features, out_features, bias=True):
        nn.Module.__init__(self)
        self.in_features, self.out_features = in_features, out_features
        self.weight = nn.Parameter(torch.empty(out_features, in_features, dtype=torch.float32))
        if bias:
            self.bias = nn.Parameter(torch.empty(out_features, dtype=torch.float32))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()
