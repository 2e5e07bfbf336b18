"""float32 detour: the matmul runs on w.float() and cols.float() ("matmuls are fastest in
float32") and the result is cast back to x's dtype. The dtype looks right, but float64
inputs lose every digit after the 7th, which the contract rules out (float64 is computed in
float64).

Fix: multiply in x's dtype; no .float()."""

import torch.nn.functional as F

from solutions.conv.conv2d import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.conv2d import _pair


def conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    stride, padding, dilation = _pair(stride), _pair(padding), _pair(dilation)
    n, _, h, wd = x.shape
    c_out, c_in_g, kh, kw = w.shape
    h_out = (h + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    w_out = (wd + 2 * padding[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    cols = F.unfold(x, (kh, kw), dilation=dilation, padding=padding, stride=stride)
    cols = cols.reshape(n, groups, c_in_g * kh * kw, h_out * w_out)
    weight = w.reshape(groups, c_out // groups, c_in_g * kh * kw)
    out = (weight.float() @ cols.float()).to(x.dtype).reshape(n, c_out, h_out, w_out)
    return out if b is None else out + b.reshape(1, c_out, 1, 1)
