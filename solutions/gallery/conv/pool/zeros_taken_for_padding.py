"""Padding told apart by value: the windows come from F.unfold, which pads with zeros, and the
average divides each window's sum by its count of NON-ZERO entries, taking every 0 for
padding. Random inputs never hold an exact 0, but real activations do (about half the pixels
after a ReLU): those real pixels drop out of the count and the average comes out too large.

Fix: find the padding by position, not value: pool a tensor of ones with the same padding
(or build the count from the window geometry) and divide by that."""

import torch
import torch.nn.functional as F

from solutions.conv.pool import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.pool import _pair


def avg_pool2d(x, kernel_size, stride=None, padding=0):
    kernel = _pair(kernel_size)
    stride = kernel if stride is None else _pair(stride)
    padding = _pair(padding)
    n, c, h, w = x.shape
    h_out = (h + 2 * padding[0] - kernel[0]) // stride[0] + 1
    w_out = (w + 2 * padding[1] - kernel[1]) // stride[1] + 1
    cols = F.unfold(x.reshape(n * c, 1, h, w), kernel, padding=padding, stride=stride)  # (n·c, kH·kW, L)
    count = (cols != 0).sum(1).to(x.dtype)  # "the zeros are the padding"
    return (cols.sum(1) / count).reshape(n, c, h_out, w_out)
