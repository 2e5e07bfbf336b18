"""conv2d with a 1×1-kernel fast path (pad, stride by slicing, then one matmul per image)
that flattens the pixels with xp.reshape(n, C_in, -1): for an empty batch (N = 0) torch
cannot infer the -1 from 0 elements and raises; the empty-batch spec only used a 3×2 kernel.

Fix: spell the size out, xp.reshape(n, C_in, H_out * W_out) (or flatten(2)).
"""

import torch
import torch.nn.functional as F

from solutions.conv import conv2d as _ref
from solutions.conv.conv2d import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.conv2d import _pair


def conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    c_out, c_in, kh, kw = w.shape
    if kh == kw == 1 and groups == 1:
        (sh, sw), (ph, pw) = _pair(stride), _pair(padding)
        xp = F.pad(x, (pw, pw, ph, ph))[:, :, ::sh, ::sw]  # a 1×1 kernel ignores dilation
        n, _, h_out, w_out = xp.shape
        out = (w.reshape(c_out, c_in) @ xp.reshape(n, c_in, -1)).reshape(n, c_out, h_out, w_out)
        if b is not None:
            out = out + b.view(1, c_out, 1, 1)
        return out
    return _ref.conv2d(x, w, b, stride, padding, dilation, groups)


class Conv2d(_ref.Conv2d):
    def forward(self, x):
        return conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)
