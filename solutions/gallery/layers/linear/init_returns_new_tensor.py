"""Init that returns a new tensor instead of filling the given one: the trailing underscore
of xavier_uniform_ means in place, and callers write `xavier_uniform_(layer.weight)` without
using the result, so the weight keeps whatever it held before. Fix: call
tensor.uniform_(-a, a) under torch.no_grad() and return tensor itself."""

import math

import torch

from solutions.layers.linear import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.linear import _fans


def xavier_uniform_(tensor: torch.Tensor, gain: float = 1.0) -> torch.Tensor:
    fan_in, fan_out = _fans(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return torch.empty_like(tensor).uniform_(-bound, bound)
