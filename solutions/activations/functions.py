"""Day 9 — activations/functions: reference solution."""

import math

import torch
from torch import nn

_SQRT_2 = math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _sigmoid(x: torch.Tensor) -> torch.Tensor:
    """Stable sigmoid: exp only ever sees -|x| <= 0, so it never overflows."""
    e = torch.exp(-x.abs())
    return torch.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _tanh(x: torch.Tensor) -> torch.Tensor:
    """Stable tanh: (1 - e) / (1 + e) with e = exp(-2|x|) <= 1, the sign put back after.
    expm1 keeps 1 - e accurate for small |x|."""
    m = torch.expm1(-2.0 * x.abs())  # e - 1, in [-1, 0]
    t = -m / (2.0 + m)
    return torch.where(x >= 0, t, -t)


class ReLU(torch.autograd.Function):
    """max(x, 0) with a hand-written backward."""

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x)
        return torch.where(x > 0, x, torch.zeros_like(x))

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        (x,) = ctx.saved_tensors
        return grad_output * (x > 0)


class LeakyReLU(torch.autograd.Function):
    """x for x > 0, negative_slope * x otherwise."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, negative_slope: float = 0.01) -> torch.Tensor:
        ctx.save_for_backward(x)
        ctx.negative_slope = negative_slope
        return torch.where(x > 0, x, x * negative_slope)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        (x,) = ctx.saved_tensors
        return torch.where(x > 0, grad_output, grad_output * ctx.negative_slope), None


class Sigmoid(torch.autograd.Function):
    """1 / (1 + exp(-x)), finite for any x."""

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        y = _sigmoid(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        (y,) = ctx.saved_tensors
        return grad_output * y * (1.0 - y)  # sigma' = sigma (1 - sigma): no exp, no overflow


class Tanh(torch.autograd.Function):
    """tanh(x) without torch.tanh, finite for any x."""

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        y = _tanh(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        (y,) = ctx.saved_tensors
        return grad_output * (1.0 - y * y)


class SiLU(torch.autograd.Function):
    """x * sigmoid(x)."""

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x)
        return x * _sigmoid(x)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        (x,) = ctx.saved_tensors
        s = _sigmoid(x)
        # d/dx [x s(x)] = s + x s (1 - s): the second term is the product rule's x * s'(x).
        return grad_output * s * (1.0 + x * (1.0 - s))


class GELU(torch.autograd.Function):
    """x * Phi(x) ("none", with erf) or its tanh approximation ("tanh")."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, approximate: str = "none") -> torch.Tensor:
        if approximate not in ("none", "tanh"):
            raise ValueError(f"approximate must be 'none' or 'tanh', not {approximate!r}")
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        if approximate == "tanh":
            inner = _SQRT_2_OVER_PI * (x + 0.044715 * x**3)
            return 0.5 * x * (1.0 + torch.tanh(inner))
        return 0.5 * x * (1.0 + torch.erf(x / _SQRT_2))

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        (x,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            t = torch.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x**3))
            d_inner = _SQRT_2_OVER_PI * (1.0 + 3 * 0.044715 * x * x)
            grad = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * d_inner
        else:
            cdf = 0.5 * (1.0 + torch.erf(x / _SQRT_2))
            pdf = _INV_SQRT_2PI * torch.exp(-0.5 * x * x)  # underflows to 0, never overflows
            grad = cdf + x * pdf
        return grad_output * grad, None


class Softplus(torch.autograd.Function):
    """log(1 + exp(beta * x)) / beta, linear above the threshold."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, beta: float = 1.0, threshold: float = 20.0) -> torch.Tensor:
        bx = x * beta
        ctx.save_for_backward(bx)
        ctx.threshold = threshold
        # log(1 + e^z) = max(z, 0) + log(1 + e^-|z|): exp never sees a positive argument.
        soft = (bx.clamp(min=0) + torch.log1p(torch.exp(-bx.abs()))) / beta
        return torch.where(bx > threshold, x, soft)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        (bx,) = ctx.saved_tensors
        slope = torch.where(bx > ctx.threshold, torch.ones_like(bx), _sigmoid(bx))
        return grad_output * slope, None, None


def swiglu(x: torch.Tensor, w_gate: torch.Tensor, w_up: torch.Tensor) -> torch.Tensor:
    """silu(x @ w_gate) * (x @ w_up): (..., d_model) -> (..., d_hidden)."""
    return SiLU.apply(x @ w_gate) * (x @ w_up)


class SwiGLU(nn.Module):
    """(swiglu(x, w_gate, w_up)) @ w_down: (..., d_model) -> (..., d_model)."""

    def __init__(self, d_model: int, d_hidden: int):
        super().__init__()

        def uniform(fan_in: int, fan_out: int) -> nn.Parameter:
            bound = 1.0 / math.sqrt(fan_in)
            return nn.Parameter(torch.empty(fan_in, fan_out).uniform_(-bound, bound))

        self.w_gate = uniform(d_model, d_hidden)
        self.w_up = uniform(d_model, d_hidden)
        self.w_down = uniform(d_hidden, d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(..., d_model) -> (..., d_model)."""
        return swiglu(x, self.w_gate, self.w_up) @ self.w_down
