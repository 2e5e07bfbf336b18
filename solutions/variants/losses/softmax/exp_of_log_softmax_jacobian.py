"""softmax as exp(log_softmax) (logsumexp written out); Softmax backward through the explicit Jacobian with einsum."""

import torch


def log_softmax(x, dim=-1):
    m = torch.amax(x, dim=dim, keepdim=True)
    lse = m + torch.log(torch.sum(torch.exp(x - m), dim=dim, keepdim=True))
    return x - lse


def softmax(x, dim=-1):
    return torch.exp(log_softmax(x, dim))


class Softmax(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, dim=-1):
        y = softmax(x, dim)
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, grad_out):
        (y,) = ctx.saved_tensors
        if y.dim() == 0:
            return torch.zeros_like(grad_out), None
        yl = y.movedim(ctx.dim, -1)
        gl = grad_out.movedim(ctx.dim, -1)
        jac = torch.diag_embed(yl) - yl.unsqueeze(-1) * yl.unsqueeze(-2)  # symmetric
        grad = torch.einsum("...ij,...j->...i", jac, gl)
        return grad.movedim(-1, ctx.dim), None
