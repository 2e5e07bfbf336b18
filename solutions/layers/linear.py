"""Day 8 — layers/linear: reference solution."""

import math

import torch
from torch import nn


def _fans(tensor: torch.Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight shaped (out, in, *kernel)."""
    if tensor.dim() < 2:
        raise ValueError(f"fans need a tensor with at least 2 dims, got shape {tuple(tensor.shape)}")
    receptive_field = math.prod(tensor.shape[2:])  # 1 for a Linear weight
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _gain(nonlinearity: str, a: float) -> float:
    if nonlinearity in ("linear", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        return math.sqrt(2.0 / (1.0 + a * a))
    raise ValueError(f"unsupported nonlinearity {nonlinearity!r}")


class Linear(nn.Module):
    """y = x @ weight.T + bias, with weight (out_features, in_features)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = nn.Parameter(torch.empty(out_features, in_features))
        if bias:
            self.bias = nn.Parameter(torch.empty(out_features))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # nn.Linear's kaiming_uniform_(a=sqrt(5)) works out to exactly this bound.
        bound = 1.0 / math.sqrt(self.in_features)
        with torch.no_grad():
            self.weight.uniform_(-bound, bound)
            if self.bias is not None:
                self.bias.uniform_(-bound, bound)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(..., in_features) -> (..., out_features)."""
        y = x @ self.weight.T
        if self.bias is not None:
            y = y + self.bias
        return y


def xavier_uniform_(tensor: torch.Tensor, gain: float = 1.0) -> torch.Tensor:
    """Fill with U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)); return tensor."""
    fan_in, fan_out = _fans(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)


def kaiming_normal_(tensor: torch.Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu") -> torch.Tensor:
    """Fill with N(0, (gain / sqrt(fan))^2); return tensor."""
    fan_in, fan_out = _fans(tensor)
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', not {mode!r}")
    fan = fan_in if mode == "fan_in" else fan_out
    std = _gain(nonlinearity, a) / math.sqrt(fan)
    with torch.no_grad():
        return tensor.normal_(0.0, std)
