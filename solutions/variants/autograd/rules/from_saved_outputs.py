"""Div, Pow and Log backwards written from the saved output (-g·out/b, g·b·out/a, g·exp(-log a)), valid on the contract's domain (positive bases and log arguments, non-zero divisors)."""

import torch


def unbroadcast(grad: torch.Tensor, shape: tuple[int, ...] | torch.Size) -> torch.Tensor:
    """Sum grad over the broadcast dims so that it has exactly `shape`."""
    shape = tuple(shape)
    added = grad.dim() - len(shape)
    if added:  # dims that broadcasting put in front
        grad = grad.sum(dim=tuple(range(added)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:  # dims that were 1 and got stretched
        grad = grad.sum(dim=stretched, keepdim=True)
    return grad


class Add(torch.autograd.Function):
    """a + b, broadcasting."""

    @staticmethod
    def forward(ctx, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        ctx.shapes = a.shape, b.shape
        return a + b

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        shape_a, shape_b = ctx.shapes
        return unbroadcast(grad_out, shape_a), unbroadcast(grad_out, shape_b)


class Sub(torch.autograd.Function):
    """a - b, broadcasting."""

    @staticmethod
    def forward(ctx, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        ctx.shapes = a.shape, b.shape
        return a - b

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        shape_a, shape_b = ctx.shapes
        return unbroadcast(grad_out, shape_a), unbroadcast(-grad_out, shape_b)


class Mul(torch.autograd.Function):
    """a * b, broadcasting."""

    @staticmethod
    def forward(ctx, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        a, b = ctx.saved_tensors
        return unbroadcast(grad_out * b, a.shape), unbroadcast(grad_out * a, b.shape)


class Div(torch.autograd.Function):
    """a / b, broadcasting."""

    @staticmethod
    def forward(ctx, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        out = a / b
        ctx.shape_a = a.shape
        ctx.save_for_backward(b, out)
        return out

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        b, out = ctx.saved_tensors
        grad_a = grad_out / b
        grad_b = -grad_out * out / b
        return unbroadcast(grad_a, ctx.shape_a), unbroadcast(grad_b, b.shape)


class Pow(torch.autograd.Function):
    """a ** b for tensors a (base) and b (exponent), broadcasting."""

    @staticmethod
    def forward(ctx, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        out = a ** b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        a, b, out = ctx.saved_tensors
        grad_a = grad_out * b * out / a
        grad_b = grad_out * out * torch.log(a)
        return unbroadcast(grad_a, a.shape), unbroadcast(grad_b, b.shape)


class Exp(torch.autograd.Function):
    """exp(a)."""

    @staticmethod
    def forward(ctx, a: torch.Tensor) -> torch.Tensor:
        out = torch.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        (out,) = ctx.saved_tensors
        return grad_out * out


class Log(torch.autograd.Function):
    """log(a) for a > 0."""

    @staticmethod
    def forward(ctx, a: torch.Tensor) -> torch.Tensor:
        out = torch.log(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        (out,) = ctx.saved_tensors
        return grad_out * torch.exp(-out)


class MatMul(torch.autograd.Function):
    """a @ b for a (..., n, k), b (..., k, m), batch dims broadcast."""

    @staticmethod
    def forward(ctx, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        a, b = ctx.saved_tensors
        # out[..., i, j] = sum_k a[..., i, k] b[..., k, j]; the batch dims of grad_out are the
        # broadcast ones, so sum them back to each input's own batch shape.
        grad_a = grad_out @ b.transpose(-1, -2)
        grad_b = a.transpose(-1, -2) @ grad_out
        return unbroadcast(grad_a, a.shape), unbroadcast(grad_b, b.shape)
