"""Dropout without the 1/(1 - p) scaling in training. Zeroing a fraction p of the elements
leaves the output's expected value at (1 - p) * x, so the next layer sees smaller inputs in
training than in evaluation (where dropout is the identity). Fix: divide the survivors by
1 - p ("inverted dropout"), so train and eval agree in expectation."""

import torch

from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.embedding import Dropout as _Correct


class Dropout(_Correct):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return x
        keep = torch.rand(x.shape, device=x.device) >= self.p
        return x * keep  # wrong: the survivors are not scaled up
