"""Dropout that scales in eval mode. With inverted dropout the 1/(1 - p) scaling during
training already keeps every activation's expected value equal to the input, so at
evaluation time dropout must be the identity. Multiplying by (1 - p) there (the rule of the
original, non-inverted dropout) shrinks every activation of the trained network, and its
evaluation no longer matches what it learned. Fix: in eval mode return x unchanged."""

import torch

from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.embedding import Dropout as _Correct


class Dropout(_Correct):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return x * (1.0 - self.p)  # wrong: inverted dropout needs no eval-time scaling
        return super().forward(x)
