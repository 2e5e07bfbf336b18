"""Layers held in a plain Python list: `self.layers = [nn.Linear(...), nn.Linear(...)]`.

nn.Module registers a sub-module only when it is assigned as an attribute (or kept in an
nn.ModuleList / nn.ModuleDict). A plain list hides the layers: forward still computes
something, but model.parameters() is empty, state_dict() has no keys (so weights can be
neither saved nor loaded), model.to(...) does not move them, and an optimizer built from
model.parameters() trains nothing. Fix: self.fc1 = nn.Linear(...); self.fc2 = nn.Linear(...)."""

import torch
import torch.nn.functional as F
from torch import nn

from solutions.modules.mlp import *  # noqa: F401,F403 (the rest is correct)


class MLP(nn.Module):
    def __init__(self, d_in: int, d_hidden: int, d_out: int):
        super().__init__()
        self.layers = [nn.Linear(d_in, d_hidden), nn.Linear(d_hidden, d_out)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers[1](F.relu(self.layers[0](x)))
