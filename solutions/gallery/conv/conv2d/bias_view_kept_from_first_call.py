"""Conv2d keeps self.bias.view(1, -1, 1, 1) on the module at its first forward and adds that
in every later call: right until the module is moved with .double() (the parameter gets new
float64 data, the kept view still shows the old float32 storage) and a new state_dict is
loaded into it, after which the output carries the stale bias.

Fix: read self.weight and self.bias in every forward; keep no view of them.
"""

import torch

from solutions.conv.conv2d import *  # noqa: F401,F403 (the rest is correct)
from solutions.conv.conv2d import Conv2d as _Correct


class Conv2d(_Correct):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not hasattr(self, "_bias_4d"):
            self._bias_4d = self.bias.view(1, -1, 1, 1) if self.bias is not None else None
        out = conv2d(x, self.weight, None, self.stride, self.padding, self.dilation, self.groups)
        return out if self._bias_4d is None else out + self._bias_4d
