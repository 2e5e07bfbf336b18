"""Correct variant: exp2 with log2(e) scaling, and an online kernel that keeps a running max and sum per lane (BLOCK of each), combined once after the first pass."""

import torch
import triton
import triton.language as tl

LOG2E = 1.4426950408889634


@triton.jit
def softmax_kernel(x_ptr, out_ptr, n_cols, x_row_stride, out_row_stride, BLOCK: tl.constexpr):
    r = tl.program_id(0)
    c = tl.arange(0, BLOCK)
    keep = c < n_cols
    v = tl.load(x_ptr + r * x_row_stride + c, mask=keep, other=-float("inf"))
    v = v.to(tl.float64) if v.dtype == tl.float64 else v.to(tl.float32)
    e = tl.exp2((v - tl.max(v, 0)) * 1.4426950408889634)
    tl.store(out_ptr + r * out_row_stride + c, (e / tl.sum(e, 0)).to(out_ptr.dtype.element_ty), mask=keep)


@triton.jit
def online_softmax_kernel(x_ptr, out_ptr, n_cols, x_row_stride, out_row_stride, BLOCK: tl.constexpr):
    r = tl.program_id(0)
    c = tl.arange(0, BLOCK)
    ty = tl.float64 if x_ptr.dtype.element_ty == tl.float64 else tl.float32
    m_lane = tl.full((BLOCK,), -float("inf"), ty)
    l_lane = tl.zeros((BLOCK,), ty)
    for start in range(0, n_cols, BLOCK):
        keep = start + c < n_cols
        v = tl.load(x_ptr + r * x_row_stride + start + c, mask=keep, other=-float("inf")).to(ty)
        m_next = tl.maximum(m_lane, v)
        finite = m_next > -float("inf")
        safe = tl.where(finite, m_next, 0.0)
        l_lane = l_lane * tl.where(finite, tl.exp2((m_lane - safe) * 1.4426950408889634), 1.0) \
            + tl.where(finite, tl.exp2((v - safe) * 1.4426950408889634), 0.0)
        m_lane = m_next
    m = tl.max(m_lane, 0)
    m_safe = tl.where(m > -float("inf"), m, 0.0)
    l = tl.sum(tl.where(m_lane > -float("inf"), l_lane * tl.exp2((m_lane - m_safe) * 1.4426950408889634), 0.0), 0)
    for start in range(0, n_cols, BLOCK):
        keep = start + c < n_cols
        v = tl.load(x_ptr + r * x_row_stride + start + c, mask=keep, other=-float("inf")).to(ty)
        y = tl.exp2((v - m) * 1.4426950408889634) / l
        tl.store(out_ptr + r * out_row_stride + start + c, y.to(out_ptr.dtype.element_ty), mask=keep)


def _check(x):
    if x.ndim < 1:
        raise ValueError(f"x must be (..., N), got a tensor of shape {tuple(x.shape)}")
    if x.dtype not in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
        raise ValueError(f"x must be float16, bfloat16, float32 or float64, not {x.dtype}")


def softmax(x):
    _check(x)
    out = torch.empty_like(x, memory_format=torch.contiguous_format)
    if out.numel() == 0:
        return out
    n = x.shape[-1]
    xc = x.contiguous()
    rows = xc.numel() // n
    softmax_kernel[(rows,)](xc, out, n, n, n, BLOCK=triton.next_power_of_2(n))
    return out


def online_softmax(x, block=1024):
    if type(block) is not int or block <= 0 or (block & (block - 1)) != 0:
        raise ValueError(f"block={block}: use a power of two >= 1")
    _check(x)
    out = torch.empty_like(x, memory_format=torch.contiguous_format)
    if out.numel() == 0:
        return out
    n = x.shape[-1]
    xc = x.contiguous()
    online_softmax_kernel[(xc.numel() // n,)](xc, out, n, n, n, BLOCK=block)
    return out
