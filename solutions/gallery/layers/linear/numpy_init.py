"""The init functions draw with numpy and copy the values in: the distribution is right, but
numpy's generator is not torch's, so torch.manual_seed does not reproduce the weights.

Fix: tensor.uniform_(-a, a) / tensor.normal_(0, std) under torch.no_grad()."""

import math

import numpy as np
import torch

from solutions.layers.linear import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.linear import _fans, _gain


def xavier_uniform_(tensor, gain=1.0):
    fan_in, fan_out = _fans(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    values = np.random.uniform(-bound, bound, size=tuple(tensor.shape))
    with torch.no_grad():
        return tensor.copy_(torch.from_numpy(values))


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    fan_in, fan_out = _fans(tensor)
    std = _gain(nonlinearity, a) / math.sqrt(fan_in if mode == "fan_in" else fan_out)
    values = np.random.normal(0.0, std, size=tuple(tensor.shape))
    with torch.no_grad():
        return tensor.copy_(torch.from_numpy(values))
