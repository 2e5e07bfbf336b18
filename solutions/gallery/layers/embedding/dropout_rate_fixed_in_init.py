"""Dropout that turns p into a keep rate and scale once, in __init__: setting drop.p on a built
module (model-wide `m.p = 0.0` to switch dropout off, a schedule that raises it) then changes
nothing, while nn.Dropout reads its p at every call.
Fix: compute 1 - self.p and 1 / (1 - self.p) inside forward."""

import torch

import solutions.layers.embedding as _ref
from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)


class Dropout(_ref.Dropout):
    def __init__(self, p: float):
        super().__init__(p)
        self._keep = 1.0 - p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self._keep == 1.0:
            return x
        if self._keep == 0.0:
            return x * 0.0
        keep = torch.rand(x.shape, device=x.device) < self._keep
        return x * keep / self._keep
