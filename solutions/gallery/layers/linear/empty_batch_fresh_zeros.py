"""forward answers an empty batch with a shortcut: `if x.numel() == 0: return
x.new_zeros(*x.shape[:-1], out_features)`. Shape, dtype and device are right, but the
result is cut from weight and bias (requires_grad is False), so a training step on an empty
batch (the last, filtered-out bucket of a dataset) fails in backward instead of giving zero
gradients. Fix: x @ self.weight.T + self.bias handles an empty batch by itself."""

import torch

from solutions.layers.linear import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.linear import Linear as _Correct


class Linear(_Correct):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.numel() == 0:
            return x.new_zeros(*x.shape[:-1], self.out_features)  # wrong: no graph
        return super().forward(x)
