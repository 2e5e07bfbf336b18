"""Day 34 — kernels/softmax: a row softmax kernel, then rows longer than a block.

softmax(x)_j = exp(x_j - max(x)) / sum_k exp(x_k - max(x)) over each row (the last dim).
A Triton program can hold a whole row in registers when the row fits one block: load it, take
its max (tl.max), exponentiate, sum (tl.sum), divide, store. Masked lanes past the end of the
row are loaded as -inf (tl.load(..., mask=mask, other=float("-inf"))): exp(-inf) = 0 adds
nothing and -inf never wins the max.

A row longer than any block you would launch needs the *online* softmax (as in flash
attention): walk the row BLOCK columns at a time keeping a running max m and a running sum
l = sum exp(x - m). When a block raises the max to m_new, what was summed against the old max
is too large by exp(m_new - m): rescale, l = l * exp(m - m_new) + sum(exp(x_block - m_new)).
A second walk writes exp(x - m) / l. Two reads of the row and one write, whatever its length.

Write:
    softmax_kernel(x_ptr, out_ptr, n_cols, x_row_stride, out_row_stride, BLOCK: tl.constexpr)
            @triton.jit
        Program r (tl.program_id(0)) computes row r: its n_cols elements start at
        x_ptr + r * x_row_stride (and out_ptr + r * out_row_stride for the result); the
        elements of a row are contiguous. The whole row is one block: n_cols <= BLOCK, lanes
        past n_cols masked (loaded as -inf, never stored). Loads each element once, stores each
        once.
    softmax(x) -> Tensor
        Softmax over the last dim of x (..., N) by one launch of softmax_kernel with grid
        (rows,), rows = x.numel() // N, and BLOCK = triton.next_power_of_2(N).
    online_softmax_kernel(x_ptr, out_ptr, n_cols, x_row_stride, out_row_stride,
                          BLOCK: tl.constexpr)    @triton.jit
        Program r computes row r (same layout as softmax_kernel) for ANY n_cols, BLOCK columns
        at a time: a first pass over the row's blocks keeps the running max and the running sum
        (rescaled whenever the max grows), a second pass writes exp(x - m) / l. It loads each
        element exactly twice and stores it once (a pass for the max, another for the sum and a
        third to write would load it three times).
    online_softmax(x, block=1024) -> Tensor
        The same result by one launch of online_softmax_kernel with grid (rows,) and
        BLOCK = block, whatever N is (smaller, equal or larger than block).
    Both wrappers:
        x: (..., N), at least one dim, float16, bfloat16, float32 or float64, any layout (the
            wrapper may reshape x to (rows, N) and make it contiguous when its last dim is not;
            a row stride is passed to the kernel); x is not modified.
        Computed in float32: each block is loaded and converted to float32 before the max, the
            exp and the sums, and the result rounded once to x's dtype on the store (tl.exp
            takes float32 or float64 only; accumulating in float16 or bfloat16 loses digits).
            float64 is computed in float64 (compared to ~1e-12).
        Returns a new contiguous tensor of x's shape, dtype and device.
        Numerically stable: the max is subtracted before exp (entries of +-1e4 must work).
        -inf entries (masked scores) are allowed: they get probability 0, also when a row's
            first blocks hold nothing but -inf; a row of only -inf gives NaN (as torch.softmax).
        Empty x (a dim of size 0): an empty output, no launch needed.
        ValueError (before any launch) when x is 0-dim (the message names its shape), or not a
            floating dtype (it names the dtype); online_softmax also when block is not a power
            of two >= 1 (it names block).
        Memory traffic (counted under the interpreter): softmax loads each element once and
            stores it once (2 n elements in all, n = x.numel()); online_softmax loads each twice
            and stores it once (3 n).

Off limits: outside the kernels, any torch computation: torch.softmax, F.softmax,
torch.exp, max, sum, division. The wrappers may check, reshape/view, make x contiguous,
allocate the output (torch.empty) and launch.
Run: pytest katas/kernels/softmax.py
"""

import torch
import triton
import triton.language as tl


@triton.jit
def softmax_kernel(x_ptr, out_ptr, n_cols, x_row_stride, out_row_stride, BLOCK: tl.constexpr):
    """Softmax of row tl.program_id(0), which fits one block (n_cols <= BLOCK)."""
    raise NotImplementedError


@triton.jit
def online_softmax_kernel(x_ptr, out_ptr, n_cols, x_row_stride, out_row_stride, BLOCK: tl.constexpr):
    """Softmax of row tl.program_id(0), any length, BLOCK columns at a time (two passes)."""
    raise NotImplementedError


def softmax(x: torch.Tensor) -> torch.Tensor:
    """Softmax over the last dim, one program per row, each row in one block."""
    raise NotImplementedError


def online_softmax(x: torch.Tensor, block: int = 1024) -> torch.Tensor:
    """Softmax over the last dim for rows of any length, BLOCK columns at a time."""
    raise NotImplementedError
