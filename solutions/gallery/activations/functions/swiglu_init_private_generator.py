"""SwiGLU initialised from a private torch.Generator().manual_seed(0) "for reproducibility":
every SwiGLU ever built starts from the same weights (all the blocks of a model are copies of
each other, and every restart or ensemble member is identical), and torch.manual_seed(s) has
no effect on them.

Fix: draw from torch's global generator (uniform_(-b, b) without generator=): the caller
seeds it with torch.manual_seed."""

import math

import torch
from torch import nn

from solutions.activations import functions as _ref
from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)


class SwiGLU(_ref.SwiGLU):
    def __init__(self, d_model, d_hidden):
        nn.Module.__init__(self)
        gen = torch.Generator().manual_seed(0)

        def uniform(fan_in, fan_out):
            bound = 1.0 / math.sqrt(fan_in)
            return nn.Parameter(torch.empty(fan_in, fan_out).uniform_(-bound, bound, generator=gen))

        self.w_gate = uniform(d_model, d_hidden)
        self.w_up = uniform(d_model, d_hidden)
        self.w_down = uniform(d_hidden, d_model)
