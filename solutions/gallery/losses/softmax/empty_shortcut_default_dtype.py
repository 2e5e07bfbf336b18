"""An early return for an empty x: `if x.numel() == 0: return torch.empty(x.shape,
device=x.device)`. The shape is right, but the result is float32 whatever x's dtype, so a
float64 batch with no rows comes back float32. Fix: torch.empty_like(x), or no shortcut at
all (the reductions over dim handle size-0 dims beside it)."""

import torch


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Stable softmax of x along dim."""
    if x.numel() == 0:
        return torch.empty(x.shape, device=x.device)
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
