"""Linear initialised with the fan-out: U(-1/sqrt(out_features), 1/sqrt(out_features)).
The bound must shrink with the number of inputs each output sums over (in_features), so
that the output variance stays about the same whatever the layer width; using out_features
gives a 16-input, 1024-output layer weights 8x too small. Fix: bound = 1/sqrt(in_features)."""

import math

import torch

from solutions.layers.linear import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.linear import Linear as _Correct


class Linear(_Correct):
    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.out_features)  # wrong fan
        with torch.no_grad():
            self.weight.uniform_(-bound, bound)
            if self.bias is not None:
                self.bias.uniform_(-bound, bound)
