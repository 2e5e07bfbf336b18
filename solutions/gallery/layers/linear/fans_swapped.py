"""fan_in and fan_out swapped: for a weight of shape (out, in, *kernel), fan_in is
shape[1] * receptive field (how many inputs each output sums over) and fan_out is
shape[0] * receptive field. Reading fan_in from shape[0] makes kaiming_normal_'s std
sqrt(in / out) times too large or too small, so activations grow or vanish layer by layer
instead of keeping their variance. Fix: fan_in from the second dim, fan_out from the first."""

import math

import torch

from solutions.layers.linear import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.linear import _gain


def kaiming_normal_(tensor: torch.Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu") -> torch.Tensor:
    receptive_field = math.prod(tensor.shape[2:])
    fan_in = tensor.shape[0] * receptive_field  # wrong: that is the number of outputs
    fan_out = tensor.shape[1] * receptive_field
    fan = fan_in if mode == "fan_in" else fan_out
    std = _gain(nonlinearity, a) / math.sqrt(fan)
    with torch.no_grad():
        return tensor.normal_(0.0, std)
