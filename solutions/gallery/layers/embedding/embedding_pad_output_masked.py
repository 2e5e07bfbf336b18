"""padding_idx implemented by zeroing the output at pad positions. The gradient to the pad
row is zero, as asked, but the forward is no longer nn.Embedding's: nn.Embedding returns
whatever the pad row holds (zeros only at initialisation; a checkpoint may store another
vector there), and padding_idx only stops that row from being trained. Fix: return
weight[idx] unchanged and stop only the gradient (e.g. torch.where(is_pad, out.detach(), out))."""

import torch

from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.embedding import Embedding as _Correct


class Embedding(_Correct):
    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        out = self.weight[idx]
        if self.padding_idx is not None:
            out = out * (idx != self.padding_idx).unsqueeze(-1)  # wrong: changes the forward
        return out
