"""b=None replaced by a stand-in zero bias made on the default device: "to keep one code path",
b = torch.zeros(C_out, dtype=x.dtype) without device=x.device. On the CPU the output is right,
but for a GPU input the zeros live on the CPU and adding them to the GPU result fails, so
conv2d(x, w) without a bias breaks exactly where convolutions run.

Fix: b=None means no bias: skip the addition (if b is not None: out = out + b.view(1, -1, 1, 1));
or build any stand-in with device=x.device as well as dtype=x.dtype."""

import torch

from solutions.conv.conv2d import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.conv2d import conv2d as _conv2d


def conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    if b is None:
        b = torch.zeros(w.shape[0], dtype=x.dtype)
    return _conv2d(x, w, b, stride, padding, dilation, groups)
