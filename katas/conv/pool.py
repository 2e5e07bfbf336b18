"""Day 12 — conv/pool: max and average pooling.

Write:
    max_pool2d(x, kernel_size, stride=None, padding=0) -> (N, C, H_out, W_out)
        like F.max_pool2d(x, kernel_size, stride, padding): the largest value of each
        kH×kW window. Padding never wins: pad with −inf (not zeros), so a window that
        overlaps the border takes the max of its real pixels (even when every real pixel is
        hugely negative, or −inf itself: a finite pad such as −1e9 or
        torch.finfo(x.dtype).min is not enough).
        Ties (decided here; torch leaves it open): the output is the max value itself, and the
        window's gradient goes to its tied max pixels in any split that sums to the upstream
        gradient (torch gives it all to one of them, amax splits it evenly: both are fine);
        pixels below the max get none from that window. (A border window whose real pixels
        are all −inf ties with its −inf padding: there, a share lost to the padding is fine.)
    avg_pool2d(x, kernel_size, stride=None, padding=0) -> (N, C, H_out, W_out)
        the mean of each window over its REAL pixels only: padded positions are neither summed
        nor counted. This is F.avg_pool2d(x, kernel_size, stride, padding,
        count_include_pad=False) — note that torch's own default, count_include_pad=True,
        divides by kH·kW even at the border; this kata does not. A real pixel that is NaN or
        ±inf is a pixel like any other (its window's mean is then NaN or ±inf, as in torch):
        tell padding apart by position, never by value.

    For both: x is (N, C, H, W) float; kernel_size, stride, padding are an int (same for both
    dims) or a pair (for H, for W). A pair is a tuple or a list ([2, 3] means (2, 3), as
    in torch). stride=None means stride = kernel_size (windows side by
    side, not overlapping). padding <= kernel_size // 2 per dim (as torch requires).
    Output size per dim (floor mode, as torch's default):
        H_out = (H + 2·padding − kH) // stride + 1
    Any batch size N, including 0 (an empty output). Output dtype = x's dtype (float16 and
    bfloat16 too; float64 is computed in float64, not through float32) and output device =
    x's device; gradients flow to x through autograd (build the result from differentiable
    ops). The input must be left unchanged.

Off limits: F.max_pool2d / torch.max_pool2d, F.max_pool2d_with_indices, F.avg_pool2d, the
nn.MaxPool2d / nn.AvgPool2d modules, the adaptive / 1-d / 3-d pooling built-ins and their aten
ops. F.unfold, Tensor.unfold, F.pad and reductions (amax, max, sum, mean) are allowed.
Run: pytest katas/conv/pool.py
"""

import torch


def max_pool2d(x: torch.Tensor, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None,
               padding: int | tuple[int, int] = 0) -> torch.Tensor:
    """(N, C, H, W) -> (N, C, H_out, W_out): the max of each window (padding counts as −inf)."""
    raise NotImplementedError


def avg_pool2d(x: torch.Tensor, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None,
               padding: int | tuple[int, int] = 0) -> torch.Tensor:
    """(N, C, H, W) -> (N, C, H_out, W_out): the mean of each window's real (unpadded) pixels."""
    raise NotImplementedError
