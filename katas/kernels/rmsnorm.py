"""Day 36 — kernels/rmsnorm: a fused RMSNorm in Triton, forward and backward, behind autograd.

norms/rms_norm (day 14) wrote RMSNorm with torch ops: pow, mean, rsqrt, two multiplies, each a
pass over memory. Here each row is normalised by ONE Triton program that loads the row once,
reduces it in registers and stores the result once; the backward is fused the same way, and
the weight's gradient (a sum over every row) is reduced in two stages: per-program partial
sums, then one small reduction kernel.

For a row x of N values, weight w (N,) and eps:
    rstd = 1 / sqrt(mean(x ** 2) + eps)          (one number per row)
    y    = x * rstd * w
Backward, with x_hat = x * rstd and dy the upstream gradient of the row:
    dx   = rstd * (w * dy - x_hat * mean(w * dy * x_hat))
    dw   = sum over ALL rows of dy * x_hat

Write:
    rms_norm_forward(x, weight, eps=1e-6) -> (y, rstd)
        x (M, N) 2-D, any strides (pass x.stride(0) and x.stride(1) to the kernel: a sliced
        or transposed x is read in place, never copied); weight (N,) of x's dtype, contiguous
        (a strided weight is outside the contract: it may be read as if contiguous).
        y: (M, N), x's dtype, contiguous. rstd: (M,), the accumulation dtype (below).
        Exactly ONE kernel launch. Each program normalises whole rows (one row per program,
        grid (M,), is the simple choice): it loads each of its rows of x once, the weight at
        most once, and stores each row of y once, and rstd[row]. N need not be a power of two:
        the block is triton.next_power_of_2(N) wide and every load and store is masked to the
        N real columns (nothing outside x, weight, y or rstd is read or written).
    rms_norm_backward(dy, x, weight, rstd) -> (dx, dw)
        dy, x (M, N) any strides (like x above), weight (N,), rstd from rms_norm_forward.
        dx: (M, N) in x's dtype, contiguous; dw: (N,) in weight's dtype.
        Kernel launches only (at most two: the rows' kernel, whose programs also sum their
        rows' dy * x_hat into partial dw rows, then a kernel that adds up the partials;
        allocate the partials with torch.empty / zeros in the accumulation dtype). Each row's
        dy and x are loaded once.
    RMSNormFunction(torch.autograd.Function)
        forward(ctx, x, weight, eps): x of shape (..., N), any number of leading dims (0 and
        empty ones too); flattens the leading dims to rows (x.reshape(-1, N)), calls
        rms_norm_forward, saves what the backward needs (x, weight, rstd; never y) and
        returns y of x's shape. backward(ctx, dy): calls rms_norm_backward; returns
        (dx of x's shape, dw, None).
    rms_norm(x, weight, eps=1e-6) -> RMSNormFunction.apply(x, weight, eps): equal to
        torch.nn.functional.rms_norm(x, (N,), weight, eps) in value and in the gradients of
        x and weight (float64: to 1e-10).

Dtypes: x and weight float16, bfloat16, float32 or float64, the same for both. The
accumulation dtype is float32 (float64 for float64 inputs): every load is converted to it
before any arithmetic (the sum of squares of a float16 row overflows float16 at |x| ~ 40 with
N = 64), rstd and the dw partials are stored in it, and only y, dx and dw are rounded to the
input dtype, once, when stored.

M = 0 (an empty batch): no launch; y and rstd empty; dx empty and dw zeros.
Errors (ValueError, before any launch): x not 2-D in rms_norm_forward / rms_norm_backward;
weight's shape not (N,) (the message names both shapes, e.g. "weight has shape (7,),
expected (5,)"), also from rms_norm; weight's dtype not x's.

Off limits: the wrappers compute nothing with torch (no torch arithmetic, reductions or
F.rms_norm on tensor data): they validate, allocate (torch.empty / zeros), reshape or view,
and launch kernels. All the maths is in @triton.jit kernels.
Inputs must not be modified.
Run: pytest katas/kernels/rmsnorm.py   (no GPU needed: Triton's interpreter runs the kernels
on CPU tensors; TRITON_INTERPRET=1 is set for you when there is no CUDA device)
"""

import torch
import triton
import triton.language as tl


def rms_norm_forward(x: torch.Tensor, weight: torch.Tensor, eps: float = 1e-6) -> tuple[torch.Tensor, torch.Tensor]:
    """One launch, one program per row: y (M, N) in x's dtype, rstd (M,) in the accumulation dtype."""
    raise NotImplementedError


def rms_norm_backward(dy: torch.Tensor, x: torch.Tensor, weight: torch.Tensor,
                      rstd: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """dx (M, N) in x's dtype and dw (N,) in weight's dtype, reduced across rows in the accumulation dtype."""
    raise NotImplementedError


class RMSNormFunction(torch.autograd.Function):
    """Autograd glue: (..., N) -> rows, rms_norm_forward; backward calls rms_norm_backward."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, weight: torch.Tensor, eps: float) -> torch.Tensor:
        raise NotImplementedError

    @staticmethod
    def backward(ctx, dy: torch.Tensor):
        raise NotImplementedError


def rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """F.rms_norm(x, (N,), weight, eps), forward and backward in Triton kernels."""
    raise NotImplementedError
