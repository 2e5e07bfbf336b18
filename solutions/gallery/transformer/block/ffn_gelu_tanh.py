"""FeedForward(activation="gelu") with the tanh approximation, F.gelu(x, approximate="tanh"):
the contract asks for the exact erf form (F.gelu's default, torch's "gelu" activation); the two
differ by up to ~5e-4 per unit, enough to leave torch's numbers.

Fix: activation "gelu" is F.gelu(x) with no approximate argument."""

import torch.nn.functional as F

from solutions.transformer.block import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.block import FeedForward as _Correct


class FeedForward(_Correct):
    def __init__(self, d_model, dim_feedforward, dropout=0.0, activation="relu"):
        super().__init__(d_model, dim_feedforward, dropout, activation)
        if activation == "gelu":
            self.activation = lambda x: F.gelu(x, approximate="tanh")  # wrong form
