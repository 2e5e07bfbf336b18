"""Keeps dw in a module-level dict keyed by (N, dtype) and reuses it: the next backward of the same
width overwrites the dw the first call returned (weight.grad of one layer changes when another
layer's backward runs).

Fix: allocate a new dw (torch.zeros / empty) at every call."""

import torch
import triton
import triton.language as tl

NUM_PARTIALS = 4  # backward programs: each sums dw over its rows into one float32 partial row


_BUF = {}


def _acc_dtype(dtype: torch.dtype) -> torch.dtype:
    return torch.float64 if dtype == torch.float64 else torch.float32


def _check(x: torch.Tensor, weight: torch.Tensor) -> None:
    if x.dim() != 2:
        raise ValueError(f"x must be 2-D (M, N), got shape {tuple(x.shape)}")
    if weight.shape != (x.shape[1],):
        raise ValueError(f"weight has shape {tuple(weight.shape)}, expected ({x.shape[1]},) for x of shape {tuple(x.shape)}")
    if weight.dtype != x.dtype:
        raise ValueError(f"weight dtype {weight.dtype} differs from x dtype {x.dtype}")


@triton.jit
def _rmsnorm_fwd_kernel(x_ptr, w_ptr, y_ptr, rstd_ptr, N, stride_xm, stride_xn, eps,
                        BLOCK_N: tl.constexpr):
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK_N)
    mask = cols < N                                  # the block is a power of 2, N need not be
    acc_ty = rstd_ptr.dtype.element_ty               # float32 (float64 for float64 inputs)
    x = tl.load(x_ptr + row * stride_xm + cols * stride_xn, mask=mask, other=0.0).to(acc_ty)
    w = tl.load(w_ptr + cols, mask=mask, other=0.0).to(acc_ty)
    rstd = 1.0 / tl.sqrt(tl.sum(x * x, axis=0) / N + eps)
    y = x * rstd * w
    tl.store(y_ptr + row * N + cols, y.to(y_ptr.dtype.element_ty), mask=mask)
    tl.store(rstd_ptr + row, rstd)


@triton.jit
def _rmsnorm_bwd_kernel(dy_ptr, x_ptr, w_ptr, rstd_ptr, dx_ptr, dw_part_ptr, M, N,
                        stride_dym, stride_dyn, stride_xm, stride_xn,
                        BLOCK_N: tl.constexpr):
    pid = tl.program_id(0)
    programs = tl.num_programs(0)
    cols = tl.arange(0, BLOCK_N)
    mask = cols < N
    acc_ty = rstd_ptr.dtype.element_ty
    w = tl.load(w_ptr + cols, mask=mask, other=0.0).to(acc_ty)
    dw = tl.zeros([BLOCK_N], dtype=acc_ty)
    for row in range(pid, M, programs):              # rows pid, pid + P, pid + 2P, ...
        x = tl.load(x_ptr + row * stride_xm + cols * stride_xn, mask=mask, other=0.0).to(acc_ty)
        dy = tl.load(dy_ptr + row * stride_dym + cols * stride_dyn, mask=mask, other=0.0).to(acc_ty)
        rstd = tl.load(rstd_ptr + row)
        x_hat = x * rstd
        wdy = w * dy
        c = tl.sum(wdy * x_hat, axis=0) / N
        dx = (wdy - x_hat * c) * rstd
        tl.store(dx_ptr + row * N + cols, dx.to(dx_ptr.dtype.element_ty), mask=mask)
        dw += dy * x_hat
    tl.store(dw_part_ptr + pid * N + cols, dw, mask=mask)


@triton.jit
def _sum_rows_kernel(part_ptr, out_ptr, P, N, BLOCK_N: tl.constexpr):
    """out[j] = sum over the P rows of part[:, j], for the columns of this program's block."""
    cols = tl.program_id(0) * BLOCK_N + tl.arange(0, BLOCK_N)
    mask = cols < N
    acc = tl.zeros([BLOCK_N], dtype=part_ptr.dtype.element_ty)
    for p in range(0, P):
        acc += tl.load(part_ptr + p * N + cols, mask=mask, other=0.0)
    tl.store(out_ptr + cols, acc.to(out_ptr.dtype.element_ty), mask=mask)


def rms_norm_forward(x: torch.Tensor, weight: torch.Tensor, eps: float = 1e-6):
    """y = x * rstd * weight row by row, rstd = 1 / sqrt(mean(x^2) + eps); one launch."""
    _check(x, weight)
    M, N = x.shape
    y = torch.empty((M, N), dtype=x.dtype, device=x.device)
    rstd = torch.empty((M,), dtype=_acc_dtype(x.dtype), device=x.device)
    if M > 0:
        _rmsnorm_fwd_kernel[(M,)](x, weight, y, rstd, N, x.stride(0), x.stride(1), eps,
                                  BLOCK_N=triton.next_power_of_2(N))
    return y, rstd


def rms_norm_backward(dy: torch.Tensor, x: torch.Tensor, weight: torch.Tensor, rstd: torch.Tensor):
    """(dx, dw) from the upstream gradient dy and the forward's rstd; two launches."""
    _check(x, weight)
    M, N = x.shape
    dx = torch.empty((M, N), dtype=x.dtype, device=x.device)
    dw = _BUF.get((N, weight.dtype))
    if dw is None:
        dw = _BUF[(N, weight.dtype)] = torch.zeros((N,), dtype=weight.dtype, device=x.device)
    if M == 0:
        return dx, dw
    programs = min(M, NUM_PARTIALS)
    dw_part = torch.empty((programs, N), dtype=rstd.dtype, device=x.device)
    block_n = triton.next_power_of_2(N)
    _rmsnorm_bwd_kernel[(programs,)](dy, x, weight, rstd, dx, dw_part, M, N,
                                     dy.stride(0), dy.stride(1), x.stride(0), x.stride(1),
                                     BLOCK_N=block_n)
    _sum_rows_kernel[(triton.cdiv(N, block_n),)](dw_part, dw, programs, N, BLOCK_N=block_n)
    return dx, dw


class RMSNormFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, eps):
        x2 = x.reshape(-1, x.shape[-1])
        y, rstd = rms_norm_forward(x2, weight, eps)
        ctx.save_for_backward(x2, weight, rstd)
        return y.view(x.shape)

    @staticmethod
    def backward(ctx, dy):
        x2, weight, rstd = ctx.saved_tensors
        dx, dw = rms_norm_backward(dy.reshape(x2.shape), x2, weight, rstd)
        return dx.view(dy.shape), dw, None


def rms_norm(x: torch.Tensor, weight: torch.Tensor, eps: float = 1e-6) -> torch.Tensor:
    """F.rms_norm(x, (N,), weight, eps) for x of shape (..., N), with Triton kernels."""
    if x.dim() == 0 or weight.shape != (x.shape[-1],):
        raise ValueError(f"weight has shape {tuple(weight.shape)}, expected ({x.shape[-1] if x.dim() else '?'},) "
                         f"for x of shape {tuple(x.shape)}")
    return RMSNormFunction.apply(x, weight, eps)
