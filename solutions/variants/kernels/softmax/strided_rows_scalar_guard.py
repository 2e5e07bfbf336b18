"""Correct variant: rows addressed through their stride with no copy when the last dim is unit-stride (2-D views of any row stride), a scalar running max that starts from the first block, and the -inf guard written with a safe max."""

import math

import torch
import triton
import triton.language as tl


@triton.jit
def softmax_kernel(x_ptr, out_ptr, n_cols, x_row_stride, out_row_stride, BLOCK: tl.constexpr):
    row = tl.program_id(axis=0)
    offs = tl.arange(0, BLOCK)
    x = tl.load(x_ptr + row.to(tl.int64) * x_row_stride + offs, mask=offs < n_cols, other=float("-inf"))
    if x.dtype == tl.float16 or x.dtype == tl.bfloat16:
        x = x.to(tl.float32)
    shifted = x - tl.max(x, axis=0)
    e = tl.exp(shifted)
    denom = tl.sum(e, axis=0)
    tl.store(out_ptr + row.to(tl.int64) * out_row_stride + offs, (e / denom).to(out_ptr.dtype.element_ty),
             mask=offs < n_cols)


@triton.jit
def online_softmax_kernel(x_ptr, out_ptr, n_cols, x_row_stride, out_row_stride, BLOCK: tl.constexpr):
    row = tl.program_id(axis=0).to(tl.int64)
    src = x_ptr + row * x_row_stride
    dst = out_ptr + row * out_row_stride
    offs = tl.arange(0, BLOCK)
    first = tl.load(src + offs, mask=offs < n_cols, other=float("-inf"))
    if first.dtype == tl.float16 or first.dtype == tl.bfloat16:
        first = first.to(tl.float32)
    running_max = tl.max(first, axis=0)
    safe = tl.where(running_max == float("-inf"), 0.0, running_max)
    running_sum = tl.sum(tl.exp(first - safe), axis=0)
    for start in range(BLOCK, n_cols, BLOCK):
        block = tl.load(src + start + offs, mask=start + offs < n_cols, other=float("-inf"))
        if block.dtype == tl.float16 or block.dtype == tl.bfloat16:
            block = block.to(tl.float32)
        new_max = tl.maximum(running_max, tl.max(block, axis=0))
        new_safe = tl.where(new_max == float("-inf"), 0.0, new_max)
        running_sum = running_sum * tl.exp(safe - new_safe) + tl.sum(tl.exp(block - new_safe), axis=0)
        running_max, safe = new_max, new_safe
    for start in range(0, n_cols, BLOCK):
        block = tl.load(src + start + offs, mask=start + offs < n_cols, other=float("-inf"))
        if block.dtype == tl.float16 or block.dtype == tl.bfloat16:
            block = block.to(tl.float32)
        tl.store(dst + start + offs, (tl.exp(block - running_max) / running_sum).to(dst.dtype.element_ty),
                 mask=start + offs < n_cols)


def _as_rows(x):
    if x.dim() == 0:
        raise ValueError(f"softmax of a 0-dim tensor (shape {tuple(x.shape)}): give x of shape (..., N)")
    if not torch.is_floating_point(x):
        raise ValueError(f"softmax needs floating point, got {x.dtype}")
    n = x.shape[-1]
    rows = math.prod(x.shape[:-1])
    if x.dim() == 2 and x.stride(1) == 1:
        return x, rows, n  # any row stride: no copy
    return x.contiguous().view(rows, n), rows, n


def _run(kernel, x, block):
    out = x.new_empty(x.shape)
    if x.numel() == 0:
        return out
    rows2d, rows, n = _as_rows(x)
    kernel[(rows,)](rows2d, out, n, rows2d.stride(0), n, BLOCK=block)
    return out


def softmax(x):
    if x.dim() == 0 or not torch.is_floating_point(x):
        _as_rows(x)
    return _run(softmax_kernel, x, triton.next_power_of_2(x.shape[-1]) if x.numel() else 1)


def online_softmax(x, block=1024):
    if isinstance(block, bool) or not isinstance(block, int) or block < 1 or block & (block - 1):
        raise ValueError(f"online_softmax: block must be a power of two >= 1, got block={block}")
    if x.dim() == 0 or not torch.is_floating_point(x):
        _as_rows(x)
    return _run(online_softmax_kernel, x, block)
