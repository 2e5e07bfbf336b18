"""SwiGLU fuses its two input projections into one matmul, torch.cat([w_gate, w_up], 1), and
keeps the fused copy from its first call: torch.cat copies, so every later optimizer step and
load_state_dict (both update the parameters in place) goes unseen, and a first call under
torch.no_grad() keeps a copy cut from the graph (w_gate and w_up never get a gradient).

Fix: read the parameters inside forward at every call (fuse there if you like: the cat is
cheap next to the matmul)."""

import torch

from solutions.activations import functions as _ref
from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)


class SwiGLU(_ref.SwiGLU):
    def forward(self, x):
        if not hasattr(self, "_fused"):
            self._fused = torch.cat([self.w_gate, self.w_up], dim=1)
        gate, up = (x @ self._fused).chunk(2, dim=-1)
        return (SiLU.apply(gate) * up) @ self.w_down
