"""Correct variant: several rows per forward program (the weight loaded once per program),
blocks of rows as 2-D tiles in the backward, dw partials summed by a column-block kernel."""

import torch
import triton
import triton.language as tl

ROWS = 2       # forward rows per program
BWD_ROWS = 4   # backward rows per tile (a program walks its tiles)


@triton.jit
def _fwd(X, W, Y, RSTD, M, N, sxm, sxn, eps, ROWS: tl.constexpr, BLOCK: tl.constexpr):
    acc = RSTD.dtype.element_ty
    c = tl.arange(0, BLOCK)
    cm = c < N
    w = tl.load(W + c, mask=cm, other=0.0).to(acc)
    for i in range(ROWS):
        r = tl.program_id(0) * ROWS + i
        if r < M:
            x = tl.load(X + r * sxm + c * sxn, mask=cm, other=0.0).to(acc)
            ms = tl.sum(x * x, axis=0) / N
            inv = 1.0 / tl.sqrt(ms + eps)
            tl.store(RSTD + r, inv)
            tl.store(Y + r * N + c, (x * inv * w).to(Y.dtype.element_ty), mask=cm)


@triton.jit
def _bwd(DY, X, W, RSTD, DX, PART, M, N, sdm, sdn, sxm, sxn, R: tl.constexpr, BLOCK: tl.constexpr):
    acc = RSTD.dtype.element_ty
    pid = tl.program_id(0)
    c = tl.arange(0, BLOCK)
    cm = c < N
    w = tl.load(W + c, mask=cm, other=0.0).to(acc)
    part = tl.zeros([BLOCK], dtype=acc)
    for start in range(pid * R, M, tl.num_programs(0) * R):
        r = start + tl.arange(0, R)
        rm = r < M
        m2 = rm[:, None] & cm[None, :]
        x = tl.load(X + r[:, None] * sxm + c[None, :] * sxn, mask=m2, other=0.0).to(acc)
        dy = tl.load(DY + r[:, None] * sdm + c[None, :] * sdn, mask=m2, other=0.0).to(acc)
        inv = tl.load(RSTD + r, mask=rm, other=0.0)
        xh = x * inv[:, None]
        g = dy * w[None, :]
        dot = tl.sum(g * xh, axis=1) / N
        dx = (g - xh * dot[:, None]) * inv[:, None]
        tl.store(DX + r[:, None] * N + c[None, :], dx.to(DX.dtype.element_ty), mask=m2)
        part += tl.sum(dy * xh, axis=0)
    tl.store(PART + pid * N + c, part, mask=cm)


@triton.jit
def _colsum(PART, OUT, P, N, BP: tl.constexpr, BLOCK: tl.constexpr):
    c = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    p = tl.arange(0, BP)
    v = tl.load(PART + p[:, None] * N + c[None, :], mask=(p[:, None] < P) & (c[None, :] < N), other=0.0)
    tl.store(OUT + c, tl.sum(v, axis=0).to(OUT.dtype.element_ty), mask=c < N)


def _validate(x, weight):
    if x.ndim != 2:
        raise ValueError(f"expected a 2-D x, got {x.ndim}-D shape {tuple(x.shape)}")
    if tuple(weight.shape) != (x.shape[1],):
        raise ValueError(f"weight has shape {tuple(weight.shape)}, expected ({x.shape[1]},)")
    if weight.dtype != x.dtype:
        raise ValueError(f"weight is {weight.dtype} but x is {x.dtype}")


def _acc(dtype):
    return {torch.float64: torch.float64}.get(dtype, torch.float32)


def rms_norm_forward(x, weight, eps=1e-6):
    _validate(x, weight)
    M, N = x.shape
    y = x.new_empty((M, N))
    rstd = x.new_empty((M,), dtype=_acc(x.dtype))
    if M:
        _fwd[(triton.cdiv(M, ROWS),)](x, weight, y, rstd, M, N, *x.stride(), eps,
                                      ROWS=ROWS, BLOCK=triton.next_power_of_2(N))
    return y, rstd


def rms_norm_backward(dy, x, weight, rstd):
    _validate(x, weight)
    M, N = x.shape
    dx = x.new_empty((M, N))
    dw = weight.new_zeros((N,))
    if M == 0:
        return dx, dw
    P = min(2, triton.cdiv(M, BWD_ROWS))
    part = rstd.new_empty((P, N))
    block = triton.next_power_of_2(N)
    _bwd[(P,)](dy, x, weight, rstd, dx, part, M, N, *dy.stride(), *x.stride(), R=BWD_ROWS, BLOCK=block)
    cb = min(block, 8)
    _colsum[(triton.cdiv(N, cb),)](part, dw, P, N, BP=triton.next_power_of_2(P), BLOCK=cb)
    return dx, dw


class RMSNormFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, eps):
        shape = x.shape
        rows = x.reshape(-1, shape[-1])
        y, rstd = rms_norm_forward(rows, weight, eps)
        ctx.save_for_backward(rows, weight, rstd)
        return y.reshape(shape)

    @staticmethod
    def backward(ctx, dy):
        rows, weight, rstd = ctx.saved_tensors
        dx, dw = rms_norm_backward(dy.reshape(rows.shape), rows, weight, rstd)
        return dx.reshape(dy.shape), dw, None


def rms_norm(x, weight, eps=1e-6):
    if x.ndim == 0 or tuple(weight.shape) != (x.shape[-1],):
        raise ValueError(f"weight has shape {tuple(weight.shape)}, expected ({x.shape[-1] if x.ndim else 0},)")
    return RMSNormFunction.apply(x, weight, eps)
