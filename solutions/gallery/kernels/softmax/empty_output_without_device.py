"""for an empty x the wrappers return torch.empty(x.shape, dtype=x.dtype) at once, without device=: the launch path is right, but the empty output lands on the default device (the CPU for a GPU x).

Fix: pass device=x.device on the early return too (or allocate the output once, with dtype= and device=, before the early return)."""

import torch
import triton
import triton.language as tl


@triton.jit
def softmax_kernel(x_ptr, out_ptr, n_cols, x_row_stride, out_row_stride, BLOCK: tl.constexpr):
    """Softmax of row tl.program_id(0), which fits one block (n_cols <= BLOCK)."""
    row = tl.program_id(0)
    cols = tl.arange(0, BLOCK)
    mask = cols < n_cols
    x = tl.load(x_ptr + row * x_row_stride + cols, mask=mask, other=float("-inf"))
    if x.dtype != tl.float64:
        x = x.to(tl.float32)  # accumulate in float32 whatever comes in
    numerator = tl.exp(x - tl.max(x, axis=0))  # masked lanes: exp(-inf) = 0
    y = numerator / tl.sum(numerator, axis=0)
    tl.store(out_ptr + row * out_row_stride + cols, y.to(out_ptr.dtype.element_ty), mask=mask)


@triton.jit
def online_softmax_kernel(x_ptr, out_ptr, n_cols, x_row_stride, out_row_stride, BLOCK: tl.constexpr):
    """Softmax of row tl.program_id(0), any length, BLOCK columns at a time: a first pass keeps
    the running max m and the running sum l of exp(x - m); a second pass writes exp(x - m) / l."""
    row = tl.program_id(0)
    x_row = x_ptr + row * x_row_stride
    out_row = out_ptr + row * out_row_stride
    cols = tl.arange(0, BLOCK)
    acc_dtype = tl.float64 if x_ptr.dtype.element_ty == tl.float64 else tl.float32
    m = tl.full((), float("-inf"), acc_dtype)
    l = tl.zeros((), acc_dtype)
    for start in range(0, n_cols, BLOCK):
        mask = start + cols < n_cols
        x = tl.load(x_row + start + cols, mask=mask, other=float("-inf")).to(acc_dtype)
        m_new = tl.maximum(m, tl.max(x, axis=0))
        # while every entry so far is -inf, m_new is -inf too: exp(-inf - -inf) would be nan
        alpha = tl.where(m_new == float("-inf"), 1.0, tl.exp(m - m_new))
        p = tl.where(m_new == float("-inf"), 0.0, tl.exp(x - m_new))
        l = l * alpha + tl.sum(p, axis=0)  # what was summed against the old max, rescaled
        m = m_new
    for start in range(0, n_cols, BLOCK):
        mask = start + cols < n_cols
        x = tl.load(x_row + start + cols, mask=mask, other=float("-inf")).to(acc_dtype)
        y = tl.exp(x - m) / l
        tl.store(out_row + start + cols, y.to(out_ptr.dtype.element_ty), mask=mask)


def _rows(x: torch.Tensor) -> torch.Tensor:
    """x as (rows, N) with unit stride along N (a copy only when it must)."""
    if x.dim() == 0:
        raise ValueError(f"softmax needs x of shape (..., N), got shape {tuple(x.shape)}")
    if not x.is_floating_point():
        raise ValueError(f"softmax needs a floating-point x, got dtype {x.dtype}")
    x2 = x.reshape(-1, x.shape[-1]) if x.numel() else x.new_empty(0, 1)
    return x2 if x2.stride(-1) == 1 else x2.contiguous()


def softmax(x: torch.Tensor) -> torch.Tensor:
    """Softmax over the last dim, one program per row, each row in one block."""
    x2 = _rows(x)
    rows, n_cols = x2.shape
    if x.numel() == 0:
        return torch.empty(x.shape, dtype=x.dtype)
    out = torch.empty(x.shape, dtype=x.dtype, device=x.device)
    if x.numel() > 0:
        block = triton.next_power_of_2(n_cols)
        softmax_kernel[(rows,)](x2, out, n_cols, x2.stride(0), n_cols, BLOCK=block)
    return out


def online_softmax(x: torch.Tensor, block: int = 1024) -> torch.Tensor:
    """Softmax over the last dim for rows of any length, BLOCK columns at a time."""
    if not isinstance(block, int) or block < 1 or block & (block - 1):
        raise ValueError(f"block must be a power of two >= 1, got block={block}")
    x2 = _rows(x)
    rows, n_cols = x2.shape
    if x.numel() == 0:
        return torch.empty(x.shape, dtype=x.dtype)
    out = torch.empty(x.shape, dtype=x.dtype, device=x.device)
    if x.numel() > 0:
        online_softmax_kernel[(rows,)](x2, out, n_cols, x2.stride(0), n_cols, BLOCK=block)
    return out
