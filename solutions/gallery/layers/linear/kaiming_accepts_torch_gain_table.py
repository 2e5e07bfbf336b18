"""kaiming_normal_'s gains copied from torch.nn.init.calculate_gain's full table: besides the
contract's names it accepts "selu" (gain 3/4) and "conv1d"/"conv2d"/... (gain 1), though the
contract allows only linear, sigmoid, tanh, relu and leaky_relu and asks for a ValueError
naming anything else. Code written against the contract then behaves differently here, and
a call meant to fail (nonlinearity="conv2d" passed by mistake for a layer type) runs on.

Fix: look the nonlinearity up in exactly the contract's list and raise ValueError otherwise."""

import math

import torch

from solutions.layers import linear as _solution
from solutions.layers.linear import *  # noqa: F401,F403 (the rest is correct)

_GAINS = {"linear": 1.0, "conv1d": 1.0, "conv2d": 1.0, "conv3d": 1.0, "conv_transpose1d": 1.0,
          "conv_transpose2d": 1.0, "conv_transpose3d": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3.0,
          "relu": math.sqrt(2.0), "selu": 3.0 / 4.0}

def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    if nonlinearity == "leaky_relu":
        gain = math.sqrt(2.0 / (1.0 + a * a))
    elif nonlinearity in _GAINS:
        gain = _GAINS[nonlinearity]
    else:
        raise ValueError(f"unsupported nonlinearity {nonlinearity!r}")
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', not {mode!r}")
    fan_in, fan_out = _solution._fans(tensor)
    std = gain / math.sqrt(fan_in if mode == "fan_in" else fan_out)
    with torch.no_grad():
        return tensor.normal_(0.0, std)
