"""kaiming_normal_ falls back to gain 1 for any nonlinearity it does not know (`else: gain =
1.0`) and to fan_in for any mode other than "fan_out": a typo such as nonlinearity="Relu"
or mode="fan_avg" silently initialises with the wrong std (1/sqrt(2) of the intended one for
"Relu"), and nothing tells the user.

Fix: accept only the listed names and raise ValueError(f"unsupported nonlinearity
{nonlinearity!r}") (likewise for mode) before filling the tensor."""

import math

import torch

from solutions.layers.linear import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.linear import _fans


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    fan_in, fan_out = _fans(tensor)
    fan = fan_out if mode == "fan_out" else fan_in
    if nonlinearity == "relu":
        gain = math.sqrt(2.0)
    elif nonlinearity == "leaky_relu":
        gain = math.sqrt(2.0 / (1.0 + a * a))
    elif nonlinearity == "tanh":
        gain = 5.0 / 3.0
    else:
        gain = 1.0
    with torch.no_grad():
        return tensor.normal_(0.0, gain / math.sqrt(fan))
