"""forward keeps the transposed weights (fc1.weight.T, fc2.weight.T) on the module at its first
call and reuses them: a first call under torch.no_grad() (an evaluation before training) keeps
views cut from the graph, so the weights never get a gradient; and .double() / .to() swap the
parameters' data, leaving the kept views on the old float32 storage.

Fix: read the parameters inside forward at every call (self.fc2(F.relu(self.fc1(x))))."""

import torch.nn.functional as F

from solutions.modules import mlp as _reference
from solutions.modules.mlp import *  # noqa: F401,F403 (the rest is correct)


class MLP(_reference.MLP):
    def forward(self, x):
        if not hasattr(self, "_weights_t"):
            self._weights_t = (self.fc1.weight.T, self.fc2.weight.T)
        h = x @ self._weights_t[0] + self.fc1.bias
        return F.relu(h) @ self._weights_t[1] + self.fc2.bias
