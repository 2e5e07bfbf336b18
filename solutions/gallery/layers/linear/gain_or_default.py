"""xavier_uniform_ reads its gain with `gain or 1.0` (a habit from optional arguments): an
explicit gain=0.0 (zero-initialising a residual branch's output projection) is taken as
"not given" and the tensor is filled with gain 1.

Fix: use gain as passed; the default is already 1.0 in the signature."""

import math

import torch

from solutions.layers.linear import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.linear import _fans


def xavier_uniform_(tensor, gain=1.0):
    gain = gain or 1.0
    fan_in, fan_out = _fans(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)
