"""xavier_uniform_ replaces tensor.data with a freshly drawn tensor: the object (and even a
Parameter's identity) stays, but a view passed in, such as one block of a fused qkv weight,
now points at new storage while the big weight it was cut from is never written.

Fix: write into the given storage: tensor.uniform_(-a, a) under torch.no_grad()."""

import math

import torch

from solutions.layers.linear import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.linear import _fans


def xavier_uniform_(tensor, gain=1.0):
    fan_in, fan_out = _fans(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    tensor.data = torch.empty(tensor.shape, dtype=tensor.dtype).uniform_(-bound, bound)
    return tensor
