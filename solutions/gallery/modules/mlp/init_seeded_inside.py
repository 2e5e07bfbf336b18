"""Seeds inside __init__ ("for reproducibility"): torch.manual_seed(0) before building the
layers gives every MLP the same starting weights whatever the caller seeded, so an ensemble's
members, two restarts or a seed sweep all train the same model, and it resets the caller's
global random stream as a side effect (the next shuffle or dropout mask repeats too).

Fix: do not seed in the module: nn.Linear draws from torch's global generator, and the caller
decides the seed (torch.manual_seed before building the model)."""

import torch
import torch.nn.functional as F
from torch import nn

from solutions.modules.mlp import *  # noqa: F401,F403 (the rest is correct)


class MLP(nn.Module):
    def __init__(self, d_in: int, d_hidden: int, d_out: int):
        super().__init__()
        torch.manual_seed(0)  # reproducible init
        self.fc1 = nn.Linear(d_in, d_hidden)
        self.fc2 = nn.Linear(d_hidden, d_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.relu(self.fc1(x)))
