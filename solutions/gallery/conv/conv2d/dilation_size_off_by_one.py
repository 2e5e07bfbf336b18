"""Output size with dilation off by one: H_out = (H + 2·padding − dilation·kH) // stride + 1.
A dilated kernel spans dilation·(kH − 1) + 1 pixels (the gaps sit only BETWEEN taps), so the
right formula is (H + 2·padding − dilation·(kH − 1) − 1) // stride + 1. The two agree when
dilation is 1, which is why the bug hides until a dilated conv is used: then the reshape of
F.unfold's L columns into (H_out, W_out) no longer fits."""

import torch
import torch.nn.functional as F

from solutions.conv.conv2d import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.conv2d import _pair


def conv2d(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None = None,
           stride=1, padding=0, dilation=1, groups: int = 1) -> torch.Tensor:
    stride, padding, dilation = _pair(stride), _pair(padding), _pair(dilation)
    n, _, h, wd = x.shape
    c_out, c_in_g, kh, kw = w.shape
    h_out = (h + 2 * padding[0] - dilation[0] * kh) // stride[0] + 1
    w_out = (wd + 2 * padding[1] - dilation[1] * kw) // stride[1] + 1
    cols = F.unfold(x, (kh, kw), dilation=dilation, padding=padding, stride=stride)
    cols = cols.reshape(n, groups, c_in_g * kh * kw, -1)
    out = w.reshape(groups, c_out // groups, c_in_g * kh * kw) @ cols
    out = out.reshape(n, c_out, h_out, w_out)
    return out if b is None else out + b.view(1, c_out, 1, 1)
