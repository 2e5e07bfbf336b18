"""Day 8 — layers/linear: a Linear layer and the two classic weight initialisations.

Write:
    Linear(in_features, out_features, bias=True) — an nn.Module equivalent to nn.Linear.
        Parameters (registered, so they appear in state_dict() under these keys):
            weight: (out_features, in_features) float32 — one row per output, like nn.Linear;
            bias:   (out_features,) float32, only when bias=True (no "bias" key otherwise);
                    with bias=False the attribute layer.bias is None, like nn.Linear's, so
                    code such as `if layer.bias is not None: nn.init.zeros_(layer.bias)`
                    works on both (self.register_parameter("bias", None) does it).
            float32 being torch's default dtype: like nn.Linear's, both are made in the
            default dtype (float64 under torch.set_default_dtype(torch.float64), where a
            float64 x must work without .to()), so no explicit dtype=.
        Initialise both like nn.Linear: every value drawn uniformly from
            U(-1/sqrt(in_features), 1/sqrt(in_features)).
        forward(x): x @ weight^T + bias, x (..., in_features) -> (..., out_features), same
            dtype as x. Any number of leading dims, including none (x of shape
            (in_features,) gives (out_features,)).
        A state_dict saved from nn.Linear loads into your Linear (and back) unchanged.

    xavier_uniform_(tensor, gain=1.0) -> tensor
        Fill `tensor` in place with U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)),
        and return the same tensor object.
    kaiming_normal_(tensor, a=0.0, mode="fan_in", nonlinearity="leaky_relu") -> tensor
        Fill `tensor` in place with N(0, std^2), std = gain / sqrt(fan), where fan is fan_in
        (mode="fan_in") or fan_out (mode="fan_out") and gain depends on the nonlinearity:
            "linear", "sigmoid": 1;  "tanh": 5/3;  "relu": sqrt(2);
            "leaky_relu": sqrt(2 / (1 + a^2))  (a is the negative slope);
        and return the same tensor object. Any other mode or nonlinearity (a typo such as
        "Relu" or "fan_avg", or a name torch.nn.init.calculate_gain knows but this list
        lacks, such as "selu" or "conv2d") raises ValueError naming it, before the tensor is
        touched: a silent default gain would hide the typo. Names are case-sensitive, mode
        too ("Fan_Out" raises, although torch.nn.init lowercases mode).

    Fans, for a weight of shape (out, in, *kernel) with at least 2 dims (a Linear weight is
    (out, in); a Conv2d weight is (out, in, kh, kw)):
        receptive field = product of the kernel dims (1 for a 2-D weight)
        fan_in  = in  * receptive field   (how many inputs each output sums over)
        fan_out = out * receptive field
    Both init functions must work on an nn.Parameter that requires grad (fill it under
    torch.no_grad(), as torch.nn.init does) and keep the tensor's shape, dtype and identity.

Off limits: torch.nn.Linear, torch.nn.functional.linear, and the torch.nn.init helpers that
do this kata's work (xavier_uniform_, xavier_normal_, kaiming_uniform_, kaiming_normal_,
calculate_gain, _calculate_fan_in_and_fan_out, _calculate_correct_fan). Tensor methods such as
tensor.uniform_(low, high) and tensor.normal_(mean, std) are yours to use.
Inputs to forward must not be modified.
Run: pytest katas/layers/linear.py
"""

import torch
from torch import nn


class Linear(nn.Module):
    """y = x @ weight.T + bias, with weight (out_features, in_features)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True):
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(..., in_features) -> (..., out_features)."""
        raise NotImplementedError


def xavier_uniform_(tensor: torch.Tensor, gain: float = 1.0) -> torch.Tensor:
    """Fill with U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)); return tensor."""
    raise NotImplementedError


def kaiming_normal_(tensor: torch.Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu") -> torch.Tensor:
    """Fill with N(0, (gain / sqrt(fan))^2); return tensor."""
    raise NotImplementedError
