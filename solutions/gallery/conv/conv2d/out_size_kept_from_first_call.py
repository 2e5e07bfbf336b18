"""The output geometry kept from the first call: Conv2d.forward works out (H_out, W_out) once,
stores it on the module and reshapes every later output to it. The first image size is
right; a later call on another H or W gets an output of the wrong size (or a reshape error).

Fix: compute H_out and W_out from each call's x (conv2d already does); keep only the
settings from __init__ on the module."""

from solutions.conv.conv2d import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.conv2d import Conv2d as _Ref, conv2d


class Conv2d(_Ref):
    def forward(self, x):
        out = conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)
        if getattr(self, "_out_hw", None) is None:
            self._out_hw = tuple(out.shape[-2:])
        h, w = self._out_hw
        return out[..., :h, :w]
