"""padding_idx only used at initialisation: the pad row starts at zero, but the forward is
a plain weight[idx], so every pad position sends its gradient to that row and training moves
the "pad" vector away from zero, leaking padding into the model. Fix: cut the pad positions
off the graph in the forward (torch.where(idx == padding_idx, out.detach(), out)) or zero
the row's gradient."""

import torch

from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.embedding import Embedding as _Correct


class Embedding(_Correct):
    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        return self.weight[idx]  # the pad row receives gradient like any other
