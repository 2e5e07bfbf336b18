"""stride=None read as 1: the windows then overlap and the output is nearly as large as the
input. torch (and this kata) read stride=None as stride = kernel_size: non-overlapping windows
that shrink each dim by the kernel size — the usual 2×2 pooling halves H and W."""

import torch

from solutions.conv.pool import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.pool import avg_pool2d as _correct_avg, max_pool2d as _correct_max


def max_pool2d(x: torch.Tensor, kernel_size, stride=None, padding=0) -> torch.Tensor:
    return _correct_max(x, kernel_size, 1 if stride is None else stride, padding)


def avg_pool2d(x: torch.Tensor, kernel_size, stride=None, padding=0) -> torch.Tensor:
    return _correct_avg(x, kernel_size, 1 if stride is None else stride, padding)
