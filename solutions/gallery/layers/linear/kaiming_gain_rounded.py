"""kaiming_normal_ writes its gains as rounded decimals, tanh 1.67 and relu 1.41: every std is
0.2% off, too little for a sample std to show, but the init is no longer gain / sqrt(fan) and
differs from torch.nn.init.kaiming_normal_'s draws under the same seed.

Fix: exact gains: 5 / 3 and math.sqrt(2) (and math.sqrt(2 / (1 + a * a)))."""

import math

import torch

from solutions.layers import linear as _reference
from solutions.layers.linear import *  # noqa: F401,F403 (the rest is correct)

_ROUNDED = {"tanh": 1.67, "relu": 1.41}


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    fan_in, fan_out = _reference._fans(tensor)
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', not {mode!r}")
    gain = _reference._gain(nonlinearity, a)
    gain = _ROUNDED.get(nonlinearity, 1.41 if nonlinearity == "leaky_relu" and a == 0 else gain)
    std = gain / math.sqrt(fan_in if mode == "fan_in" else fan_out)
    with torch.no_grad():
        return tensor.normal_(0.0, std)
