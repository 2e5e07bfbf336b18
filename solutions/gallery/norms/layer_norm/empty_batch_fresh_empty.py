"""An empty-batch shortcut in the module: for x.numel() == 0 it returns
torch.empty(x.shape, device=x.device), "nothing to normalise". That tensor is float32 for a
float64 module and input, and cut from the graph (y.sum().backward() raises).

Fix: no shortcut: the normalisation itself handles an empty batch."""

import torch

from solutions.norms.layer_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.layer_norm import LayerNorm as _Ref


class LayerNorm(_Ref):
    def forward(self, x):
        if x.numel() == 0:
            return torch.empty(x.shape, device=x.device)
        return super().forward(x)
