"""einsum forward with other attribute names for the sizes; init from torch.rand affinely mapped (global generator), fans by a loop, gains from a dict."""

import math

import torch
from torch import nn

_GAINS = {"linear": lambda a: 1.0, "sigmoid": lambda a: 1.0, "tanh": lambda a: 5.0 / 3.0,
          "relu": lambda a: math.sqrt(2.0), "leaky_relu": lambda a: math.sqrt(2.0 / (1 + a * a))}


def _fan_in_out(t):
    rf = 1
    for k in t.shape[2:]:
        rf *= k
    return t.shape[1] * rf, t.shape[0] * rf


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.n_in, self.n_out = in_features, out_features
        b = 1.0 / math.sqrt(in_features)
        self.weight = nn.Parameter((torch.rand(out_features, in_features) * 2 - 1) * b)
        self.bias = nn.Parameter((torch.rand(out_features) * 2 - 1) * b) if bias else None

    def forward(self, x):
        y = torch.einsum("...i,oi->...o", x, self.weight)
        return y if self.bias is None else y + self.bias


def xavier_uniform_(tensor, gain=1.0):
    fi, fo = _fan_in_out(tensor)
    a = gain * math.sqrt(6.0 / (fi + fo))
    with torch.no_grad():
        tensor.copy_(torch.rand(tensor.shape, dtype=tensor.dtype) * (2 * a) - a)
    return tensor


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    if nonlinearity not in _GAINS or mode not in ("fan_in", "fan_out"):
        raise ValueError(f"kaiming_normal_: unsupported mode={mode!r} or nonlinearity={nonlinearity!r}")
    fi, fo = _fan_in_out(tensor)
    std = _GAINS[nonlinearity](a) / math.sqrt(fi if mode == "fan_in" else fo)
    with torch.no_grad():
        tensor.copy_(torch.randn(tensor.shape, dtype=tensor.dtype) * std)
    return tensor
