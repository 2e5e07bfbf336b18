"""Correct variant: the wrapper picks the compute dtype and passes it as a constexpr; loads use other=0 and the kernels cast with tl.cast; the column is computed as offsets - row * N."""

import torch
import triton
import triton.language as tl


@triton.jit
def add_kernel(x_ptr, y_ptr, out_ptr, n, BLOCK: tl.constexpr):
    start = tl.program_id(axis=0) * BLOCK
    idx = start + tl.arange(0, BLOCK)
    inside = idx < n
    a = tl.load(x_ptr + idx, mask=inside, other=0)
    b = tl.load(y_ptr + idx, mask=inside, other=0)
    if a.dtype.is_fp16() or a.dtype.is_bf16():
        total = tl.cast(a, tl.float32) + tl.cast(b, tl.float32)
    else:
        total = a + b
    tl.store(out_ptr + idx, tl.cast(total, out_ptr.dtype.element_ty), mask=inside)


def _power_of_two(block):
    return isinstance(block, int) and block >= 1 and (block & (block - 1)) == 0


def add(x, y, block=1024):
    if tuple(x.shape) != tuple(y.shape):
        raise ValueError(f"shape mismatch: x {tuple(x.shape)} vs y {tuple(y.shape)}")
    if x.dtype != y.dtype:
        raise ValueError(f"dtype mismatch: x {x.dtype} vs y {y.dtype}")
    if not _power_of_two(block):
        raise ValueError(f"block={block} is not a power of two >= 1")
    xc = x if x.is_contiguous() else x.contiguous()
    yc = y if y.is_contiguous() else y.contiguous()
    out = torch.empty(xc.shape, dtype=xc.dtype, device=xc.device)
    n = out.numel()
    if n:
        add_kernel[(triton.cdiv(n, block),)](xc, yc, out, n, BLOCK=block)
    return out


@triton.jit
def bias_gelu_kernel(x_ptr, b_ptr, out_ptr, n, N, BLOCK: tl.constexpr, COMPUTE: tl.constexpr = tl.float32):
    idx = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK)
    inside = idx < n
    col = idx - (idx // N) * N
    v = tl.cast(tl.load(x_ptr + idx, mask=inside, other=0), COMPUTE) + \
        tl.cast(tl.load(b_ptr + col, mask=inside, other=0), COMPUTE)
    cdf = 0.5 * (1.0 + tl.erf(v / 1.4142135623730951))
    tl.store(out_ptr + idx, tl.cast(v * cdf, out_ptr.dtype.element_ty), mask=inside)


def bias_gelu(x, bias, block=1024):
    if x.ndim == 0:
        raise ValueError(f"x of shape {tuple(x.shape)} has no last dim")
    if x.dtype not in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
        raise ValueError(f"x must be floating point, got {x.dtype}")
    if bias.ndim != 1 or bias.shape[0] != x.shape[-1]:
        raise ValueError(f"bias of shape {tuple(bias.shape)} does not match x of shape {tuple(x.shape)}")
    if bias.dtype != x.dtype:
        raise ValueError(f"dtype mismatch: x {x.dtype} vs bias {bias.dtype}")
    if not _power_of_two(block):
        raise ValueError(f"block={block} is not a power of two >= 1")
    xc, bc = x.contiguous(), bias.contiguous()
    out = torch.empty(xc.shape, dtype=xc.dtype, device=xc.device)
    n = out.numel()
    if n:
        compute = tl.float64 if x.dtype == torch.float64 else tl.float32
        bias_gelu_kernel[(triton.cdiv(n, block),)](xc, bc, out, n, x.shape[-1], BLOCK=block, COMPUTE=compute)
    return out
