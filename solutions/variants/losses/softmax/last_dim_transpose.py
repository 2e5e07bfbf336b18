"""Moves dim to the end with transpose, uses torch.max(...).values and a reciprocal, transposes back."""

import torch


def _last(x, dim):
    if x.dim() == 0:
        if dim not in (-1, 0):  # a 0-d x has the dims of a 1-d one, as in F.softmax
            raise IndexError(f"dim {dim} out of range for a 0-d x (expected -1 or 0)")
        return x.unsqueeze(0), lambda t: t.squeeze(0)
    d = dim  # transpose checks the range (IndexError), as F.softmax does
    return x.transpose(d, -1), lambda t: t.transpose(d, -1)


def softmax(x, dim=-1):
    t, back = _last(x, dim)
    e = torch.exp(t - torch.max(t, dim=-1).values.unsqueeze(-1))
    return back(e * torch.reciprocal(e.sum(-1)).unsqueeze(-1))


def log_softmax(x, dim=-1):
    t, back = _last(x, dim)
    shifted = t - torch.max(t, dim=-1).values.unsqueeze(-1)
    return back(shifted - torch.log(torch.exp(shifted).sum(-1)).unsqueeze(-1))


class Softmax(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, dim=-1):
        probs = softmax(x, dim)
        ctx.save_for_backward(probs)
        ctx.reduce_dim = dim
        return probs

    @staticmethod
    def backward(ctx, grad_out):
        (probs,) = ctx.saved_tensors
        weighted = probs * grad_out
        return weighted - probs * weighted.sum(ctx.reduce_dim, keepdim=True), None
