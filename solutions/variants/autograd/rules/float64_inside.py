"""Every backward computed in float64 and cast back to the input's dtype; unbroadcast by a single sum over a computed dim list."""

import torch


def unbroadcast(grad, shape):
    shape = tuple(shape)
    lead = grad.dim() - len(shape)
    dims = list(range(lead)) + [lead + i for i, n in enumerate(shape)
                                if n == 1 and grad.shape[lead + i] != 1]
    out = grad.to(torch.float64).sum(dim=dims, keepdim=True) if dims else grad.to(torch.float64)
    return out.reshape(shape).to(grad.dtype)


def _d(x):
    return x.to(torch.float64)


def _back(g, x):
    return unbroadcast(g, x.shape).to(x.dtype)


class Add(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a + b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _back(_d(g), a), _back(_d(g), b)


class Sub(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a - b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _back(_d(g), a), _back(-_d(g), b)


class Mul(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return _back(_d(g) * _d(b), a), _back(_d(g) * _d(a), b)


class Div(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        g, a64, b64 = _d(g), _d(a), _d(b)
        return _back(g / b64, a), _back(-g * a64 / b64 ** 2, b)


class Pow(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a ** b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        g, a64, b64 = _d(g), _d(a), _d(b)
        return (_back(g * b64 * a64 ** (b64 - 1), a),
                _back(g * a64 ** b64 * torch.log(a64), b))


class Exp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return torch.exp(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (_d(g) * torch.exp(_d(a))).to(a.dtype)


class Log(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return torch.log(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return (_d(g) / _d(a)).to(a.dtype)


class MatMul(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        g, a64, b64 = _d(g), _d(a), _d(b)
        return _back(g @ b64.mT, a), _back(a64.mT @ g, b)
