"""Fans without the receptive field: for a convolution weight (out, in, kh, kw) each output
sums over in * kh * kw inputs, so fan_in = in * kh * kw and fan_out = out * kh * kw. Using
shape[1] and shape[0] alone makes xavier_uniform_'s bound sqrt(kh * kw) times too wide.
Fix: multiply both fans by the product of the dims after the first two."""

import math

import torch

from solutions.layers.linear import *  # noqa: F401,F403 (the rest is correct)


def xavier_uniform_(tensor: torch.Tensor, gain: float = 1.0) -> torch.Tensor:
    fan_in, fan_out = tensor.shape[1], tensor.shape[0]  # kernel dims forgotten
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)
