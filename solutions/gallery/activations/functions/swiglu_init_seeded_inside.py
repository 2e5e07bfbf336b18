"""SwiGLU calls torch.manual_seed(0) in __init__ "for reproducibility": every SwiGLU starts
from the same weights (all the blocks of a model are copies of each other), the caller's
seed is ignored, and the global generator is reset for everything that follows.

Fix: draw from torch's global generator without seeding it: the caller seeds it."""

import math

import torch
from torch import nn

from solutions.activations import functions as _ref
from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)


class SwiGLU(_ref.SwiGLU):
    def __init__(self, d_model, d_hidden):
        nn.Module.__init__(self)
        torch.manual_seed(0)

        def uniform(fan_in, fan_out):
            bound = 1.0 / math.sqrt(fan_in)
            return nn.Parameter(torch.empty(fan_in, fan_out).uniform_(-bound, bound))

        self.w_gate = uniform(d_model, d_hidden)
        self.w_up = uniform(d_model, d_hidden)
        self.w_down = uniform(d_hidden, d_model)
