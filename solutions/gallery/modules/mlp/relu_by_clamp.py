"""The activation written as h.clamp(min=0): equal values, but clamp's backward passes
gradient 1 where h is exactly 0, while torch's ReLU passes 0. Exact zeros happen (zero-
initialised biases on zero inputs, pruned weights), and the gradients then differ from a
model built with nn.ReLU.

Fix: F.relu(h) (or torch.where(h > 0, h, 0))."""

from torch import nn

from solutions.modules.mlp import *  # noqa: F401,F403 (the rest is correct)
from solutions.modules.mlp import MLP as _Correct


class MLP(_Correct):
    def forward(self, x):
        return self.fc2(self.fc1(x).clamp(min=0))
