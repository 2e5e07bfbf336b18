"""Linear draws its initial weights from its own torch.Generator seeded from the clock: every
layer is random, but torch.manual_seed no longer makes a run reproducible (two runs with
the same seed start from different weights), unlike nn.Linear.

Fix: draw from torch's global generator: self.weight.uniform_(-bound, bound) under no_grad."""

import math
import time

import torch
from torch import nn

from solutions.layers.linear import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.linear import Linear as _Correct


class Linear(_Correct):
    def reset_parameters(self):
        gen = torch.Generator().manual_seed(time.perf_counter_ns())
        bound = 1.0 / math.sqrt(self.in_features)
        with torch.no_grad():
            self.weight.uniform_(-bound, bound, generator=gen)
            if self.bias is not None:
                self.bias.uniform_(-bound, bound, generator=gen)
