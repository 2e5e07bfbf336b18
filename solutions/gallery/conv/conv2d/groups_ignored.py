"""groups ignored: the weight is viewed as (C_out, C_in·kH·kW) and multiplied with every
unfolded column, as if groups were 1. With groups > 1 the weight only has C_in/groups input
channels, so the shapes do not even fit (and tiling the weight to make them fit would let every
output channel see every input channel). Split the columns into `groups` blocks of
C_in/groups·kH·kW rows and the weight into `groups` blocks of C_out/groups filters, multiply
block j with block j (a batched matmul over the group dim), then concatenate."""

import torch
import torch.nn.functional as F

from solutions.conv.conv2d import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.conv2d import _pair


def conv2d(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None = None,
           stride=1, padding=0, dilation=1, groups: int = 1) -> torch.Tensor:
    stride, padding, dilation = _pair(stride), _pair(padding), _pair(dilation)
    n, _, h, wd = x.shape
    c_out, _, kh, kw = w.shape
    h_out = (h + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    w_out = (wd + 2 * padding[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    cols = F.unfold(x, (kh, kw), dilation=dilation, padding=padding, stride=stride)
    out = (w.reshape(c_out, -1) @ cols).reshape(n, c_out, h_out, w_out)
    return out if b is None else out + b.view(1, c_out, 1, 1)
