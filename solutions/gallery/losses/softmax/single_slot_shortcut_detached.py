"""A shortcut for slices of one entry: `if x.dim() == 0 or x.shape[dim] == 1: return
torch.ones_like(x)` (and torch.zeros_like(x) in log_softmax). The values (1 and 0), dtype
and device are right, but the result is a fresh tensor cut from x: a softmax over one key
(or a 0-d x) leaves x.grad None, or backward fails, where autograd gives a zero gradient.
Fix: no shortcut (x - amax, exp and sum handle a size-1 dim and a 0-d x)."""

import torch


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Stable softmax of x along dim."""
    if x.dim() == 0 or x.shape[dim] == 1:
        return torch.ones_like(x)  # wrong: cut from the graph
    shifted = x - x.amax(dim=dim, keepdim=True)
    e = shifted.exp()
    return e / e.sum(dim=dim, keepdim=True)


def log_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Stable log-softmax of x along dim."""
    if x.dim() == 0 or x.shape[dim] == 1:
        return torch.zeros_like(x)  # wrong: cut from the graph
    shifted = x - x.amax(dim=dim, keepdim=True)
    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()


class Softmax(torch.autograd.Function):
    """Softmax along dim with a hand-written backward: Softmax.apply(x, dim=-1)."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, dim: int = -1) -> torch.Tensor:
        y = softmax(x, dim)
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        (y,) = ctx.saved_tensors
        inner = (grad_out * y).sum(dim=ctx.dim, keepdim=True)
        return y * (grad_out - inner), None
