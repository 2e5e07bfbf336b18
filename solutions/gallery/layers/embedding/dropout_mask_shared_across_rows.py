"""One dropout mask for the whole batch: drawing the mask with shape x.shape[-1:] and
letting broadcasting apply it to every row drops the same features for every example (and
the same features at every position of a sequence), which is a much weaker regulariser and
not what nn.Dropout does. Fix: draw one independent value per element, with x's full shape."""

import torch

from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.embedding import Dropout as _Correct


class Dropout(_Correct):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p in (0.0, 1.0):
            return super().forward(x)
        keep = torch.rand(x.shape[-1:], device=x.device) >= self.p  # wrong: shared by all rows
        return x * keep / (1.0 - self.p)
