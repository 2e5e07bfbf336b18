"""Correct variant: max_pool2d picks each window's value with gather at its argmax (all of a tied window's gradient goes to one pixel, as in torch); avg_pool2d as window mean × kH·kW ÷ real-pixel count."""

import torch
import torch.nn.functional as F


def _pair(v: int | tuple[int, int]) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else (int(v[0]), int(v[1]))


def _windows(x: torch.Tensor, kernel: tuple[int, int], stride: tuple[int, int],
             padding: tuple[int, int], fill: float) -> torch.Tensor:
    """(N, C, H, W) -> (N, C, H_out, W_out, kH·kW): every window's values, padding = fill."""
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    x = F.pad(x, (pw, pw, ph, ph), value=fill)
    # unfold H then W: (N, C, H_out, W_out, kH, kW)
    return x.unfold(2, kh, sh).unfold(3, kw, sw).flatten(-2)


def max_pool2d(x: torch.Tensor, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None,
               padding: int | tuple[int, int] = 0) -> torch.Tensor:
    """(N, C, H, W) -> (N, C, H_out, W_out): the max of each window (padding counts as −inf)."""
    kernel = _pair(kernel_size)
    stride = kernel if stride is None else _pair(stride)
    w = _windows(x, kernel, stride, _pair(padding), float("-inf"))
    return w.gather(-1, w.detach().argmax(-1, keepdim=True)).squeeze(-1)


def avg_pool2d(x: torch.Tensor, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None,
               padding: int | tuple[int, int] = 0) -> torch.Tensor:
    """(N, C, H, W) -> (N, C, H_out, W_out): the mean of each window's real (unpadded) pixels."""
    kernel = _pair(kernel_size)
    stride = kernel if stride is None else _pair(stride)
    padding = _pair(padding)
    total = _windows(x, kernel, stride, padding, 0.0).mean(dim=-1) * (kernel[0] * kernel[1])
    ones = torch.ones(1, 1, *x.shape[2:], dtype=x.dtype, device=x.device)
    count = _windows(ones, kernel, stride, padding, 0.0).sum(dim=-1)  # real pixels per window
    return total / count
