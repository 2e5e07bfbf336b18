"""Day 4 — autograd/rules: backward rules by hand, with broadcasting.

Write the backward of each elementary op as a torch.autograd.Function, used as
`Mul.apply(a, b)`. Each forward may use the plain torch op (a + b, a * b, a @ b,
torch.exp, ...); the work is the backward.

    unbroadcast(grad, shape) -> tensor of exactly `shape`: grad summed back to `shape`, where
        `shape` (a tuple or torch.Size) broadcasts to grad.shape. Sum over the leading dims
        that broadcasting added, and over every dim that is 1 in `shape` but larger in grad
        (keeping it as size 1). Example: grad (2, 3, 4), shape (3, 1) -> (3, 1).

    Binary ops, a and b floating tensors of one dtype whose shapes broadcast together (0-d
    tensors included), output of the broadcast shape:
        Add.apply(a, b) = a + b          Sub.apply(a, b) = a - b
        Mul.apply(a, b) = a * b          Div.apply(a, b) = a / b
        Pow.apply(a, b) = a ** b: the exponent b is a tensor too, and backward returns the
            gradient with respect to both base and exponent (d/db = a**b * log(a); the specs
            use positive bases).
    Unary ops: Exp.apply(a) = exp(a); Log.apply(a) = log(a) (a > 0).
    MatMul.apply(a, b) = a @ b for a (..., n, k) and b (..., k, m), both at least 2-D, with
        the batch dims (...) broadcast as in torch.matmul: (2, 1, n, k) @ (3, k, m) gives
        (2, 3, n, m). 1-D operands are not part of the contract.

    backward(ctx, grad_out) returns one gradient per forward input, each with exactly that
    input's shape, dtype and device (grad_out has the output's shape; unbroadcast's result is
    on grad's device: a helper such as torch.zeros(shape) needs device=grad.device). The
    specs call your backward directly and check those shapes: autograd's engine would quietly
    sum a gradient of the broadcast shape for you, and a hand-written engine (or your next
    kata) will not. You may return None for an input whose ctx.needs_input_grad is False.

Off limits: in backward, torch.autograd.grad, torch.autograd.backward, Tensor.backward and
    torch.func.vjp / torch.autograd.functional.vjp (write each derivative by hand); in
    unbroadcast and in every backward, Tensor.sum_to_size (you are writing it: the backward
    rules sum back through your unbroadcast).
Inputs must not be modified.
Run: pytest katas/autograd/rules.py
"""

import torch


def unbroadcast(grad: torch.Tensor, shape: tuple[int, ...] | torch.Size) -> torch.Tensor:
    """Sum grad over the broadcast dims so that it has exactly `shape`."""
    raise NotImplementedError


class Add(torch.autograd.Function):
    """a + b, broadcasting."""

    @staticmethod
    def forward(ctx, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        raise NotImplementedError


class Sub(torch.autograd.Function):
    """a - b, broadcasting."""

    @staticmethod
    def forward(ctx, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        raise NotImplementedError


class Mul(torch.autograd.Function):
    """a * b, broadcasting."""

    @staticmethod
    def forward(ctx, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        raise NotImplementedError


class Div(torch.autograd.Function):
    """a / b, broadcasting."""

    @staticmethod
    def forward(ctx, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        raise NotImplementedError


class Pow(torch.autograd.Function):
    """a ** b for tensors a (base) and b (exponent), broadcasting."""

    @staticmethod
    def forward(ctx, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        raise NotImplementedError


class Exp(torch.autograd.Function):
    """exp(a)."""

    @staticmethod
    def forward(ctx, a: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        raise NotImplementedError


class Log(torch.autograd.Function):
    """log(a) for a > 0."""

    @staticmethod
    def forward(ctx, a: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        raise NotImplementedError


class MatMul(torch.autograd.Function):
    """a @ b for a (..., n, k), b (..., k, m), batch dims broadcast."""

    @staticmethod
    def forward(ctx, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        raise NotImplementedError
