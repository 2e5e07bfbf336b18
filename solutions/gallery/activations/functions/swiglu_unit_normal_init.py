"""SwiGLU with weights drawn by torch.randn: standard deviation 1 whatever the size, so each
projection multiplies the activations' scale by about sqrt(fan_in) (64 for d_model = 4096)
and a deep stack of such blocks overflows or saturates before training starts.

Fix: a spread of about 1/sqrt(fan_in): torch.empty(fan_in, fan_out).uniform_(-b, b) with
b = 1/sqrt(fan_in), or torch.randn(fan_in, fan_out) / sqrt(fan_in).
"""

import torch
from torch import nn

from solutions.activations import functions as _ref
from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)


class SwiGLU(_ref.SwiGLU):
    def __init__(self, d_model, d_hidden):
        nn.Module.__init__(self)
        self.w_gate = nn.Parameter(torch.randn(d_model, d_hidden))
        self.w_up = nn.Parameter(torch.randn(d_model, d_hidden))
        self.w_down = nn.Parameter(torch.randn(d_hidden, d_model))
