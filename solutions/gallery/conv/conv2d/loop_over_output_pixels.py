"""A Python loop over the output pixels: for every (i, j) the dilated window is sliced out of the
padded x, multiplied by the weight and summed. The values are right, but the contract asks for
every window at once (F.unfold and a matmul): this runs a handful of torch ops per output
position, so a 224×224 image costs ~50,000 Python iterations and kernel launches, hundreds of
times slower than one batched matmul.

Fix: F.unfold(x, (kH, kW), dilation, padding, stride) gives all L windows as columns
(N, C_in·kH·kW, L); multiply them by w viewed as (groups, C_out/groups, C_in/groups·kH·kW) in
one batched matmul and reshape to (N, C_out, H_out, W_out)."""

import torch
import torch.nn.functional as F

from solutions.conv.conv2d import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.conv2d import _pair


def conv2d(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    (sh, sw), (ph, pw), (dh, dw) = _pair(stride), _pair(padding), _pair(dilation)
    n, _, h, wd = x.shape
    c_out, c_in_g, kh, kw = w.shape
    xp = F.pad(x, (pw, pw, ph, ph))
    h_out = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    w_out = (wd + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    weight = w.reshape(groups, c_out // groups, c_in_g, kh, kw)
    rows = []
    for i in range(h_out):
        pixels = []
        for j in range(w_out):
            window = xp[:, :, i * sh:i * sh + dh * (kh - 1) + 1:dh, j * sw:j * sw + dw * (kw - 1) + 1:dw]
            window = window.reshape(n, groups, 1, c_in_g, kh, kw)
            pixels.append((window * weight).sum((-1, -2, -3)).reshape(n, c_out))
        rows.append(torch.stack(pixels, -1))
    out = torch.stack(rows, -2)
    if b is not None:
        out = out + b.view(1, -1, 1, 1)
    return out
