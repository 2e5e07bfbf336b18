"""Correct variant: backward programs each own a contiguous chunk of rows (not a stride-P walk);
a one-program kernel adds the per-chunk dw partials; different naming throughout."""

import torch
import triton
import triton.language as tl


@triton.jit
def rmsnorm_fwd(x_ptr, w_ptr, out_ptr, rstd_ptr, n_cols, row_stride, col_stride, eps, BLOCK: tl.constexpr):
    r = tl.program_id(axis=0)
    offs = tl.arange(0, BLOCK)
    valid = offs < n_cols
    ty = rstd_ptr.dtype.element_ty
    xr = tl.load(x_ptr + r * row_stride + offs * col_stride, mask=valid, other=0.0).to(ty)
    mean_sq = tl.sum(xr * xr, axis=0) / n_cols
    scale = 1.0 / tl.sqrt(mean_sq + eps)
    wv = tl.load(w_ptr + offs, mask=valid, other=0.0).to(ty)
    tl.store(out_ptr + r * n_cols + offs, (xr * scale * wv).to(out_ptr.dtype.element_ty), mask=valid)
    tl.store(rstd_ptr + r, scale)


@triton.jit
def rmsnorm_bwd(g_ptr, x_ptr, w_ptr, rstd_ptr, gx_ptr, part_ptr, n_rows, n_cols, rows_per_prog,
                g_rs, g_cs, x_rs, x_cs, BLOCK: tl.constexpr):
    p = tl.program_id(axis=0)
    offs = tl.arange(0, BLOCK)
    valid = offs < n_cols
    ty = rstd_ptr.dtype.element_ty
    wv = tl.load(w_ptr + offs, mask=valid, other=0.0).to(ty)
    acc = tl.zeros([BLOCK], dtype=ty)
    lo = p * rows_per_prog
    hi = tl.minimum(lo + rows_per_prog, n_rows)
    for r in range(lo, hi):
        s = tl.load(rstd_ptr + r)
        xh = tl.load(x_ptr + r * x_rs + offs * x_cs, mask=valid, other=0.0).to(ty) * s
        g = tl.load(g_ptr + r * g_rs + offs * g_cs, mask=valid, other=0.0).to(ty)
        proj = tl.sum(g * wv * xh, axis=0) / n_cols
        tl.store(gx_ptr + r * n_cols + offs, (s * (g * wv - proj * xh)).to(gx_ptr.dtype.element_ty), mask=valid)
        acc += g * xh
    tl.store(part_ptr + p * n_cols + offs, acc, mask=valid)


@triton.jit
def reduce_parts(part_ptr, dw_ptr, n_parts, n_cols, BLOCK: tl.constexpr):
    offs = tl.arange(0, BLOCK)
    valid = offs < n_cols
    total = tl.load(part_ptr + offs, mask=valid, other=0.0)
    for q in range(1, n_parts):
        total += tl.load(part_ptr + q * n_cols + offs, mask=valid, other=0.0)
    tl.store(dw_ptr + offs, total.to(dw_ptr.dtype.element_ty), mask=valid)


def _check(x, weight):
    if x.dim() != 2:
        raise ValueError(f"x must have 2 dims, got shape {tuple(x.shape)}")
    if weight.shape != x.shape[1:]:
        raise ValueError(f"weight has shape {tuple(weight.shape)}, expected ({x.shape[1]},)")
    if weight.dtype != x.dtype:
        raise ValueError(f"dtype mismatch: weight {weight.dtype}, x {x.dtype}")


def rms_norm_forward(x, weight, eps=1e-6):
    _check(x, weight)
    n_rows, n_cols = x.shape
    out = torch.empty(n_rows, n_cols, dtype=x.dtype, device=x.device)
    rstd = torch.empty(n_rows, dtype=torch.float64 if x.dtype == torch.float64 else torch.float32,
                       device=x.device)
    if n_rows:
        rmsnorm_fwd[(n_rows,)](x, weight, out, rstd, n_cols, x.stride(0), x.stride(1), eps,
                               BLOCK=triton.next_power_of_2(n_cols))
    return out, rstd


def rms_norm_backward(dy, x, weight, rstd):
    _check(x, weight)
    n_rows, n_cols = x.shape
    gx = torch.empty(n_rows, n_cols, dtype=x.dtype, device=x.device)
    if n_rows == 0:
        return gx, torch.zeros(n_cols, dtype=weight.dtype, device=x.device)
    rows_per_prog = 3
    n_parts = triton.cdiv(n_rows, rows_per_prog)
    part = torch.empty(n_parts, n_cols, dtype=rstd.dtype, device=x.device)
    block = triton.next_power_of_2(n_cols)
    rmsnorm_bwd[(n_parts,)](dy, x, weight, rstd, gx, part, n_rows, n_cols, rows_per_prog,
                            dy.stride(0), dy.stride(1), x.stride(0), x.stride(1), BLOCK=block)
    dw = torch.empty(n_cols, dtype=weight.dtype, device=x.device)
    reduce_parts[(1,)](part, dw, n_parts, n_cols, BLOCK=block)
    return gx, dw


class RMSNormFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, eps):
        x2d = x.reshape(-1, x.shape[-1])
        y, rstd = rms_norm_forward(x2d, weight, eps)
        ctx.save_for_backward(x2d, weight, rstd)
        ctx.shape = x.shape
        return y.view(ctx.shape)

    @staticmethod
    def backward(ctx, dy):
        x2d, weight, rstd = ctx.saved_tensors
        dx, dw = rms_norm_backward(dy.reshape(x2d.shape), x2d, weight, rstd)
        return dx.view(ctx.shape), dw, None


def rms_norm(x, weight, eps=1e-6):
    if x.dim() == 0 or weight.shape != x.shape[-1:]:
        raise ValueError(f"weight has shape {tuple(weight.shape)}, expected ({x.shape[-1] if x.dim() else 0},)")
    return RMSNormFunction.apply(x, weight, eps)
