"""Day 10 — losses/softmax: stable softmax and log-softmax, and a softmax with its own backward.

Write:
    softmax(x, dim=-1) -> same shape and dtype as x (float32 or float64): exp(x) normalised
        so that every slice along `dim` is non-negative and sums to 1, like F.softmax(x, dim).
        `dim` may be any dimension, negative or positive; one outside [-x.dim(), x.dim())
        raises IndexError, as in F.softmax (no wrapping with %). Other dims may have size 0 (an
        empty batch gives an empty result); a 0-d x is one slice, so softmax(x) is 1, and it
        takes dim -1 or 0 as F.softmax does (any other dim raises IndexError there too).
        float64 x is computed in float64 (no rounding through float32). The result is
        differentiable by autograd like F.softmax's, for every shape (a 0-d x or a size-1
        slice too: its gradient is 0, but it must reach x, so no fresh torch.ones_like(x)).
    log_softmax(x, dim=-1) -> same shape and dtype as x: log(softmax(x, dim)), computed
        without ever taking the log of a probability that underflowed to 0, like
        F.log_softmax(x, dim).
    Softmax: a torch.autograd.Function. Call it as Softmax.apply(x, dim), or Softmax.apply(x)
        for dim=-1 (apply takes positional arguments only). forward returns softmax(x, dim);
        backward(ctx, grad_out) returns (grad_x, None) with the hand-written rule
            grad_x = y * (grad_out - sum(grad_out * y, dim, keepdim=True)),   y = softmax(x)
        (save y in forward with ctx.save_for_backward; do not rely on autograd).

Both functions must be stable: logits of ±1e4 give finite, correct results (softmax is
unchanged when the same constant is added to every entry of a slice, so subtract the
slice's max first). Entries of -inf (masked logits) get probability 0, as long as the slice
has at least one finite entry.

Off limits: torch.softmax, torch.nn.functional.softmax, Tensor.softmax, torch.log_softmax,
torch.nn.functional.log_softmax, Tensor.log_softmax, torch.logsumexp, Tensor.logsumexp (and
nn.Softmax / nn.LogSoftmax, torch.special.* versions, which reach the same kernels); use
exp, log, sum, max/amax and arithmetic.
Inputs must not be modified (Softmax.backward's grad_out included).
Run: pytest katas/losses/softmax.py
"""

import torch


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Stable softmax of x along dim."""
    raise NotImplementedError


def log_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Stable log-softmax of x along dim."""
    raise NotImplementedError


class Softmax(torch.autograd.Function):
    """Softmax along dim with a hand-written backward: Softmax.apply(x, dim=-1)."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, dim: int = -1) -> torch.Tensor:
        """y = softmax(x, dim); save what backward needs."""
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor):
        """(y * (grad_out - sum(grad_out * y, dim, keepdim=True)), None)."""
        raise NotImplementedError
