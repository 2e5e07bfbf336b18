"""kaiming_normal_ lowercases mode before checking it ("forgiving" input handling): a typo
such as mode="Fan_Out" is taken as "fan_out" instead of raising ValueError naming it, so
the names are no longer the exact, listed ones: the contract makes them case-sensitive,
mode too (torch.nn.init lowercases mode; this contract deliberately does not).

Fix: compare mode (and nonlinearity) with the listed names exactly, as passed."""

import math

import torch

from solutions.layers.linear import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.linear import _fans, _gain


def kaiming_normal_(tensor: torch.Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu") -> torch.Tensor:
    fan_in, fan_out = _fans(tensor)
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', not {mode!r}")
    fan = fan_in if mode == "fan_in" else fan_out
    std = _gain(nonlinearity, a) / math.sqrt(fan)
    with torch.no_grad():
        return tensor.normal_(0.0, std)
