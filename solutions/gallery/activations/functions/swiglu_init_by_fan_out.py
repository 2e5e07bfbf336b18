"""SwiGLU whose weights are drawn as torch.randn(d_model, d_hidden) / sqrt(d_hidden): the
scale uses the matrix's second dim, its fan_out, where the contract (and the variance
argument behind it: each output sums fan_in products) asks for 1/sqrt(fan_in), the first
dim. For d_hidden = 16 * d_model, w_down comes out 4x too wide and the block's output
grows with the width.

Fix: N(0, 1/fan_in) with fan_in = w.shape[0]: torch.randn(d_model, d_hidden) / sqrt(d_model),
and torch.randn(d_hidden, d_model) / sqrt(d_hidden) for w_down.
"""

import math

import torch
from torch import nn

from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)
from solutions.activations.functions import swiglu


class SwiGLU(nn.Module):
    def __init__(self, d_model, d_hidden):
        super().__init__()
        self.w_gate = nn.Parameter(torch.randn(d_model, d_hidden) / math.sqrt(d_hidden))
        self.w_up = nn.Parameter(torch.randn(d_model, d_hidden) / math.sqrt(d_hidden))
        self.w_down = nn.Parameter(torch.randn(d_hidden, d_model) / math.sqrt(d_model))

    def forward(self, x):
        return swiglu(x, self.w_gate, self.w_up) @ self.w_down
