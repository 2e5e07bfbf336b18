"""Drops exactly round(p * numel) elements chosen with torch.randperm: the keep rate looks
right on a big tensor, but the elements are no longer dropped independently (the count never
varies), and on small inputs it is wrong outright: a single element (round(0.5) == 0) is
never dropped, so Dropout(0.5) on a (1,)-shaped activation does nothing.

Fix: one independent draw per element: keep = torch.rand(x.shape, device=x.device) >= p."""

import torch

from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.embedding import Dropout as _Correct


class Dropout(_Correct):
    def forward(self, x):
        if not self.training or self.p == 0.0:
            return x
        if self.p == 1.0:
            return x * 0.0
        n = x.numel()
        keep = torch.ones(n, dtype=torch.bool, device=x.device)
        keep[torch.randperm(n, device=x.device)[: round(self.p * n)]] = False
        return x * keep.reshape(x.shape) / (1.0 - self.p)
