"""Loop-based unbroadcast (one dim at a time), ctx attributes instead of save_for_backward, einsum in MatMul's backward."""

import torch


def unbroadcast(grad, shape):
    shape = tuple(shape)
    while grad.dim() > len(shape):
        grad = grad.sum(0)
    for i in range(len(shape)):
        if shape[i] == 1 and grad.shape[i] != 1:
            grad = grad.sum(i, keepdim=True)
    return grad


class Add(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.sa, ctx.sb = a.shape, b.shape
        return torch.add(a, b)

    @staticmethod
    def backward(ctx, g):
        ga = unbroadcast(g, ctx.sa) if ctx.needs_input_grad[0] else None
        gb = unbroadcast(g, ctx.sb) if ctx.needs_input_grad[1] else None
        return ga, gb


class Sub(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.sa, ctx.sb = a.shape, b.shape
        return torch.sub(a, b)

    @staticmethod
    def backward(ctx, g):
        return unbroadcast(g, ctx.sa), unbroadcast(g.neg(), ctx.sb)


class Mul(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.a, ctx.b = a, b
        return torch.mul(a, b)

    @staticmethod
    def backward(ctx, g):
        return unbroadcast(torch.mul(g, ctx.b), ctx.a.shape), unbroadcast(torch.mul(g, ctx.a), ctx.b.shape)


class Div(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        out = a / b
        ctx.save_for_backward(b, out)
        ctx.sa = a.shape
        return out

    @staticmethod
    def backward(ctx, g):
        b, out = ctx.saved_tensors
        ga = g / b
        return unbroadcast(ga, ctx.sa), unbroadcast(-ga * out, b.shape)


class Pow(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        out = torch.pow(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        # positive bases: out / a is safe, and a ** (b - 1) = out / a
        return unbroadcast(g * b * out / a, a.shape), unbroadcast(g * out * a.log(), b.shape)


class Exp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a.exp()

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * a.exp()


class Log(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a.log()

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * a.reciprocal()


class MatMul(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return torch.matmul(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = torch.einsum("...ij,...kj->...ik", g, b)
        gb = torch.einsum("...ki,...kj->...ij", a, g)
        return unbroadcast(ga, a.shape), unbroadcast(gb, b.shape)
