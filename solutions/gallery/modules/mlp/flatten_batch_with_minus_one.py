"""forward flattens the batch dims by hand, x.reshape(-1, d_in), and restores them with
out.reshape(*batch, -1): with a size-0 batch dim the -1 is ambiguous and reshape raises
("cannot reshape tensor of 0 elements"), though the contract allows any batch size.

Fix: let nn.Linear handle the leading dims (it accepts (..., d_in)), or restore with the
explicit size: out.reshape(*batch, d_out)."""

import torch.nn.functional as F

from solutions.modules.mlp import *  # noqa: F401,F403 (the rest is correct)
from solutions.modules.mlp import MLP as _Correct


class MLP(_Correct):
    def forward(self, x):
        batch = x.shape[:-1]
        h = self.fc2(F.relu(self.fc1(x.reshape(-1, x.shape[-1]))))
        return h.reshape(*batch, -1)
