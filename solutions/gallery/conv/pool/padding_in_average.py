"""Padding counted in the average: zero-pad, sum each window and divide by kH·kW. Windows that
overlap the border then mix in zeros that are not part of the image, pulling border outputs
towards 0 (an all-ones image averages to 4/9 in a 3×3 corner). This kata asks for the mean of
the real pixels only (F.avg_pool2d's count_include_pad=False): divide by the number of real
pixels in each window, e.g. by pooling a tensor of ones the same way."""

import torch

from solutions.conv.pool import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.pool import _pair, _windows


def avg_pool2d(x: torch.Tensor, kernel_size, stride=None, padding=0) -> torch.Tensor:
    kernel = _pair(kernel_size)
    stride = kernel if stride is None else _pair(stride)
    return _windows(x, kernel, stride, _pair(padding), 0.0).mean(dim=-1)
