"""torch.matmul with weight.t() and addition via torch.add, reset_parameters through this kata's own helpers (a uniform bound expressed as kaiming-style std*sqrt(3))."""

import math

import torch
from torch import nn


def _fans(t):
    rf = math.prod(t.shape[2:]) if t.dim() > 2 else 1
    return t.size(1) * rf, t.size(0) * rf


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        self.register_parameter("bias", nn.Parameter(torch.empty(out_features)) if bias else None)
        std = 1.0 / math.sqrt(3.0 * in_features)   # U(-b, b) has std b / sqrt(3)
        bound = math.sqrt(3.0) * std
        with torch.no_grad():
            for p in self.parameters():
                p.uniform_(-bound, bound)

    def forward(self, x):
        out = torch.matmul(x, self.weight.t())
        return torch.add(out, self.bias) if self.bias is not None else out


def xavier_uniform_(tensor, gain=1.0):
    fan_in, fan_out = _fans(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    with torch.no_grad():
        tensor.uniform_(-math.sqrt(3.0) * std, math.sqrt(3.0) * std)
    return tensor


def kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
    fan_in, fan_out = _fans(tensor)
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan = {"fan_in": fan_in, "fan_out": fan_out}[mode]
    if nonlinearity == "leaky_relu":
        gain = math.sqrt(2.0 / (1 + a ** 2))
    elif nonlinearity == "relu":
        gain = math.sqrt(2.0)
    elif nonlinearity == "tanh":
        gain = 5.0 / 3
    elif nonlinearity in ("linear", "sigmoid"):
        gain = 1.0
    else:
        raise ValueError(f"unsupported nonlinearity {nonlinearity!r}")
    with torch.no_grad():
        tensor.normal_(mean=0.0, std=gain / math.sqrt(fan))
    return tensor
