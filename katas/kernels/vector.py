"""Day 33 — kernels/vector: your first Triton kernels (program ids, block offsets, masks).

A Triton kernel is a function decorated with @triton.jit that runs once per *program*; a
launch `kernel[grid](args...)` starts grid[0] programs. Each program finds its share of the
work from its id, pid = tl.program_id(0), and handles a whole BLOCK of elements at once:
    offsets = pid * BLOCK + tl.arange(0, BLOCK)      # BLOCK a tl.constexpr power of two
    mask = offsets < n                                # the last block is usually "ragged"
    x = tl.load(x_ptr + offsets, mask=mask)           # tensors arrive as pointers to element 0
    tl.store(out_ptr + offsets, x, mask=mask)
A lane whose offset is past the end must be masked off, on loads and on stores: unmasked it
reads or writes memory that belongs to someone else. The grid covers n elements with
triton.cdiv(n, BLOCK) programs (ceil(n / BLOCK)). Without a GPU the specs run your kernels in
Triton's CPU interpreter (TRITON_INTERPRET=1, set for you): same code, same results, and a
lane outside the tensors fails at once with your kernel's line.

Write:
    add_kernel(x_ptr, y_ptr, out_ptr, n, BLOCK: tl.constexpr)          @triton.jit
        x_ptr, y_ptr, out_ptr point at three contiguous arrays of n elements. Program p
        (tl.program_id(0)) handles elements p * BLOCK ... p * BLOCK + BLOCK - 1 and no others:
        out[i] = x[i] + y[i]. Elements i >= n are masked on every load and store, so a grid
        may have more programs than needed (a program past the end does nothing) and the last
        block may be ragged. It loads each element of x and y once and stores each element of
        out once.
    add(x, y, block=1024) -> Tensor
        x + y computed by add_kernel: a new contiguous tensor of x's shape, dtype and device.
        x, y: the same shape (any, 0-dim included: n = 1) and the same dtype (float16, bfloat16,
            float32, float64, int32 or int64), any layout (make a non-contiguous one contiguous
            first: .contiguous() is the one copy the wrapper may make); x and y are not modified.
        bfloat16 (and float16) are added in float32 and rounded once on the store:
            (x.to(tl.float32) + y.to(tl.float32)).to(out_ptr.dtype.element_ty). Triton's CPU
            interpreter has no bfloat16 arithmetic (it adds the raw bits), so this upcast is
            what makes a bfloat16 kernel right everywhere; other dtypes add in their own.
        block: the BLOCK of the launch, a power of two >= 1 (tl.arange needs one).
        One launch of add_kernel with grid (triton.cdiv(n, block),), n = x.numel(); n = 0 gives
        an empty output (launching nothing is fine).
        ValueError (before any launch) when the shapes differ (the message names both shapes),
        when the dtypes differ (it names both dtypes), or when block is not a power of two >= 1
        (it names block).
        Memory traffic (counted under the interpreter): loads x and y once each (n elements
        each), stores out once (n elements): 3 n elements in all.
    bias_gelu_kernel(x_ptr, b_ptr, out_ptr, n, N, BLOCK: tl.constexpr)   @triton.jit
        x_ptr and out_ptr point at contiguous (rows, N) arrays of n = rows * N elements, b_ptr
        at N elements. Program p handles the flat elements p * BLOCK ... p * BLOCK + BLOCK - 1
        (masked past n): out[i] = gelu(x[i] + b[i % N]), the bias of element i's column.
        Loads each x element once and at most one bias element per x element; stores each out
        element once.
    bias_gelu(x, bias, block=1024) -> Tensor
        The fused epilogue of a linear layer: gelu(x + bias) in ONE kernel (one read of x, one
        write of the output; unfused torch would write x + bias and read it back).
        gelu is the exact GELU, torch.nn.functional.gelu's default:
            gelu(v) = 0.5 * v * (1 + erf(v / sqrt(2)))       (tl.math.erf; not the tanh form)
        x: (..., N), at least one dim, any layout; bias: (N,), any layout; the same dtype,
            float16, bfloat16, float32 or float64. x and bias are not modified.
        Computed in float32: load, convert to float32, add and apply gelu in float32, round
            once to x's dtype on the store (tl.math.erf takes float32 or float64 only); float64
            inputs are computed in float64 (they are compared to ~1e-12).
        Returns a new contiguous tensor of x's shape, dtype and device.
        One launch of bias_gelu_kernel, grid (triton.cdiv(n, block),), n = x.numel() and N =
        x.shape[-1]; n = 0 gives an empty output.
        ValueError (before any launch) when bias is not 1-D of size x.shape[-1] (the message
        names both shapes), when the dtypes differ (it names both), when x is 0-dim or not a
        floating dtype (it names the shape or dtype), or when block is not a power of two >= 1
        (it names block).
        Memory traffic: reads x once (n elements) and at most n bias elements, stores out once
        (n elements).

Off limits: outside the kernels, any torch computation. The Python wrappers may check their
arguments, allocate the output (torch.empty, torch.empty_like), make inputs contiguous and
launch the kernel; the adding, the bias and the GELU happen in the kernels (the specs watch
every torch op a wrapper runs outside its launch). torch.nn.functional.gelu, torch.erf and
`x + y` in Python are exactly what the kernels replace.
Run: pytest katas/kernels/vector.py
"""

import torch
import triton
import triton.language as tl


@triton.jit
def add_kernel(x_ptr, y_ptr, out_ptr, n, BLOCK: tl.constexpr):
    """out[i] = x[i] + y[i] for program tl.program_id(0)'s BLOCK elements, masked past n."""
    raise NotImplementedError


def add(x: torch.Tensor, y: torch.Tensor, block: int = 1024) -> torch.Tensor:
    """x + y by one launch of add_kernel over triton.cdiv(x.numel(), block) programs."""
    raise NotImplementedError


@triton.jit
def bias_gelu_kernel(x_ptr, b_ptr, out_ptr, n, N, BLOCK: tl.constexpr):
    """out[i] = gelu(x[i] + b[i % N]) in float32 for this program's BLOCK elements."""
    raise NotImplementedError


def bias_gelu(x: torch.Tensor, bias: torch.Tensor, block: int = 1024) -> torch.Tensor:
    """gelu(x + bias) (exact erf GELU) by one launch of bias_gelu_kernel."""
    raise NotImplementedError
