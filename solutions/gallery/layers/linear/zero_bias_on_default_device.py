"""With bias=False, forward adds a stand-in bias torch.zeros(out_features) so that one line
serves both cases: the zeros are built on the default device (the CPU), so once the layer
is moved to the GPU (model.cuda()) every forward mixes a CUDA output with a CPU tensor and
fails; on the CPU nothing shows.

Fix: with bias=False return x @ weight.T alone (or build any helper on x.device)."""

import torch

from solutions.layers.linear import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.linear import Linear as _Reference


class Linear(_Reference):
    def forward(self, x):
        bias = self.bias if self.bias is not None else torch.zeros(self.out_features, dtype=x.dtype)
        return x @ self.weight.T + bias
