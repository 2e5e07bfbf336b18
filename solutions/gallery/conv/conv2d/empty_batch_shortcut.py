"""An empty batch answered by a shortcut: `if n == 0: return torch.zeros(0, C_out, H_out,
W_out, device=x.device)`. The shape and device are right, but the result is float32 whatever
x's dtype and is cut from the graph (w and b get no gradient path), unlike F.conv2d's empty
output. Fix: convolve the empty batch like any other (spell out the sizes instead of -1)."""

import torch

from solutions.conv.conv2d import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.conv2d import _pair
from solutions.conv.conv2d import conv2d as _conv2d


def conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    if x.shape[0] == 0:
        (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
        kh, kw = w.shape[2:]
        h_out = (x.shape[2] + 2 * ph - dh * (kh - 1) - 1) // sh + 1
        w_out = (x.shape[3] + 2 * pw - dw * (kw - 1) - 1) // sw + 1
        return torch.zeros(0, w.shape[0], h_out, w_out, device=x.device)  # wrong: float32, no graph
    return _conv2d(x, w, b, stride, padding, dilation, groups)
