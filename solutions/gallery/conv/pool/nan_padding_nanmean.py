"""Padding marked with NaN and averaged with nanmean: the windows are cut from x padded with
float('nan'), and Tensor.nanmean skips the NaNs, so the padding is neither summed nor counted.
Right for finite inputs, but the padding is told apart by VALUE: a real NaN pixel (a diverged
activation) is skipped too, so the window reports a plausible finite mean and the NaN that
should surface (F.avg_pool2d gives NaN) is silently hidden.

Fix: find the padding by position: pad with 0, sum, and divide by the count of real pixels
per window (pool a tensor of ones with the same padding, or use the window geometry)."""

from solutions.conv.pool import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.pool import _pair, _windows


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    kernel = _pair(kernel_size)
    stride = kernel if stride is None else _pair(stride)
    return _windows(x, kernel, stride, _pair(padding), float("nan")).nanmean(dim=-1)
