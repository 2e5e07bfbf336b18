"""Empty batch breaks the reshape: the unfolded columns are reshaped with a -1 for the
per-group row count, reshape(n, groups, -1, L). With N = 0 there are no elements, so -1
can be anything and torch raises, although an empty batch is a valid input (F.conv2d
returns an empty (0, C_out, H_out, W_out) output).

Fix: spell out every size from x.shape and w.shape: (n, groups, C_in/groups·kH·kW, L)."""

import torch
import torch.nn.functional as F

from solutions.conv.conv2d import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.conv2d import _pair


def conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    stride, padding, dilation = _pair(stride), _pair(padding), _pair(dilation)
    n, _, h, wd = x.shape
    c_out, _, kh, kw = w.shape
    h_out = (h + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    w_out = (wd + 2 * padding[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    cols = F.unfold(x, (kh, kw), dilation=dilation, padding=padding, stride=stride)
    cols = cols.reshape(n, groups, -1, h_out * w_out)
    out = (w.reshape(groups, c_out // groups, -1) @ cols).reshape(n, c_out, h_out, w_out)
    return out if b is None else out + b.reshape(1, c_out, 1, 1)
