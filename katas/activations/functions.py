"""Day 9 — activations/functions: activations with hand-written backward, and SwiGLU.

Write each activation as a torch.autograd.Function with a static forward(ctx, x, ...) and a
static backward(ctx, grad_output) that returns the gradient w.r.t. x (and None for every
non-tensor argument). They are called through .apply with positional arguments; x is a
floating tensor of any shape (float32 or float64) and the output has x's shape and dtype:

    ReLU.apply(x)                              max(x, 0); gradient 1 where x > 0, else 0
                                               (so 0 at x = 0, like F.relu)
    LeakyReLU.apply(x, negative_slope=0.01)    x where x > 0, else negative_slope * x
                                               (gradient negative_slope at x = 0); any
                                               slope, also negative or above 1
    Sigmoid.apply(x)                           1 / (1 + exp(-x))
    Tanh.apply(x)                              (exp(x) - exp(-x)) / (exp(x) + exp(-x))
    SiLU.apply(x)                              x * sigmoid(x)
    GELU.apply(x, approximate="none")          "none": x * Phi(x) = 0.5 * x * (1 + erf(x / sqrt(2)))
                                               "tanh": 0.5 * x * (1 + tanh(sqrt(2 / pi) *
                                                       (x + 0.044715 * x^3)))
                                               any other approximate: ValueError naming it
    Softplus.apply(x, beta=1.0, threshold=20.0)
                                               log(1 + exp(beta * x)) / beta, and x itself
                                               where beta * x > threshold (like F.softplus);
                                               finite also below a threshold above 88, where
                                               F.softplus's own exp overflows to inf

Each must equal its torch.nn.functional counterpart (F.relu, F.leaky_relu, torch.sigmoid,
torch.tanh, F.silu, F.gelu(x, approximate=...), F.softplus(x, beta, threshold)) in value
and gradient (for float64 x to float64 precision: compute in x's dtype), and stay finite —
forward and gradient — for inputs as large as +-1e4 in float32: no exp that overflows into
inf/inf or 0 * inf. x may also hold -inf and +inf: ReLU, LeakyReLU, Sigmoid, Tanh
and Softplus then give their F counterpart's values (ReLU(-inf) = 0, so not x * (x > 0),
which is -inf * 0 = NaN); SiLU and GELU at +-inf are not asked for. Softplus's precision is relative to the value, also in its tail where
the value is tiny, as F.softplus's is: softplus(-40) = 4.2e-18 to every digit (log(1 + e)
rounds a tiny e away; torch.log1p(e) keeps it).

    swiglu(x, w_gate, w_up) -> silu(x @ w_gate) * (x @ w_up)
        x (..., d_model); w_gate and w_up (d_model, d_hidden) -> (..., d_hidden).
        (These weights are used as x @ w, not nn.Linear's x @ w.T.)
    SwiGLU(d_model, d_hidden) — the gated feed-forward block of LLaMA-style models,
        including the down projection:
            forward(x) = swiglu(x, w_gate, w_up) @ w_down, (..., d_model) -> (..., d_model).
        Parameters (registered; these are the state_dict keys):
            w_gate: (d_model, d_hidden), w_up: (d_model, d_hidden), w_down: (d_hidden, d_model),
        each initialised at random with a spread of about 1/sqrt(fan_in), fan_in being the
        matrix's first dim (its input size): e.g. U(-1/sqrt(fan_in), 1/sqrt(fan_in)) or
        N(0, 1/fan_in), not a unit normal (outputs would grow with sqrt(d)). No biases.
        Made in torch's default dtype, like nn.Linear's (float64 under
        torch.set_default_dtype(torch.float64)), so no explicit dtype=.
        Drawn from torch's global random generator (like nn.Linear): every new module is
        different, and torch.manual_seed(s) makes the init repeatable (no seed or private
        torch.Generator of your own inside __init__).

Off limits, per activation (in both its forward and its backward): the built-in of the
activation you are writing and its aten op — torch.relu / F.relu / Tensor.relu in ReLU,
F.leaky_relu in LeakyReLU, torch.sigmoid / F.sigmoid / Tensor.sigmoid / torch.special.expit
in Sigmoid, torch.tanh / F.tanh / Tensor.tanh in Tanh, F.silu in SiLU, F.gelu in GELU,
F.softplus in Softplus. Other built-ins are allowed (e.g. torch.exp, torch.erf, torch.tanh
inside GELU, torch.sigmoid inside SiLU). swiglu and SwiGLU: none (use your SiLU or F.silu).
Inputs must not be modified, and neither may grad_output in a backward (return a new tensor).
Outputs and gradients live on x's device (make helper tensors with *_like(x) or device=);
SwiGLU built under `with torch.device(...)` has its parameters there.
Run: pytest katas/activations/functions.py
"""

import torch
from torch import nn


class ReLU(torch.autograd.Function):
    """max(x, 0) with a hand-written backward."""

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        raise NotImplementedError


class LeakyReLU(torch.autograd.Function):
    """x for x > 0, negative_slope * x otherwise."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, negative_slope: float = 0.01) -> torch.Tensor:
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        raise NotImplementedError


class Sigmoid(torch.autograd.Function):
    """1 / (1 + exp(-x)), finite for any x."""

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        raise NotImplementedError


class Tanh(torch.autograd.Function):
    """tanh(x) without torch.tanh, finite for any x."""

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        raise NotImplementedError


class SiLU(torch.autograd.Function):
    """x * sigmoid(x)."""

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        raise NotImplementedError


class GELU(torch.autograd.Function):
    """x * Phi(x) ("none", with erf) or its tanh approximation ("tanh")."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, approximate: str = "none") -> torch.Tensor:
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        raise NotImplementedError


class Softplus(torch.autograd.Function):
    """log(1 + exp(beta * x)) / beta, linear above the threshold."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, beta: float = 1.0, threshold: float = 20.0) -> torch.Tensor:
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        raise NotImplementedError


def swiglu(x: torch.Tensor, w_gate: torch.Tensor, w_up: torch.Tensor) -> torch.Tensor:
    """silu(x @ w_gate) * (x @ w_up): (..., d_model) -> (..., d_hidden)."""
    raise NotImplementedError


class SwiGLU(nn.Module):
    """(swiglu(x, w_gate, w_up)) @ w_down: (..., d_model) -> (..., d_model)."""

    def __init__(self, d_model: int, d_hidden: int):
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(..., d_model) -> (..., d_model)."""
        raise NotImplementedError
