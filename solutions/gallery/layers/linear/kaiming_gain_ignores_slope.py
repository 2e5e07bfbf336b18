"""Kaiming gain that ignores the negative slope: leaky_relu's gain is sqrt(2 / (1 + a^2)),
not always sqrt(2). With a = 0 (the default) both agree, which is why this passes casual
tests; with a = sqrt(5) (what nn.Linear uses) the std is sqrt(6) times too large. Fix: use
a in the leaky_relu gain (and only there: relu's gain is sqrt(2) whatever a is)."""

import math

import torch

from solutions.layers.linear import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.linear import _fans


def kaiming_normal_(tensor: torch.Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu") -> torch.Tensor:
    fan_in, fan_out = _fans(tensor)
    fan = fan_in if mode == "fan_in" else fan_out
    gain = {"linear": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3.0}.get(nonlinearity, math.sqrt(2.0))
    with torch.no_grad():
        return tensor.normal_(0.0, gain / math.sqrt(fan))
