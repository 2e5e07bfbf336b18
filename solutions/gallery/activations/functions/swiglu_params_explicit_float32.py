"""SwiGLU makes its weights with an explicit dtype=torch.float32 ("parameters are float32"):
right under torch's usual default, but a model built under
torch.set_default_dtype(torch.float64) (a float64 gradient check, a precision study) gets
float32 weights, and float64 x @ w_gate then raises a dtype mismatch.

Fix: no dtype= (torch.empty(fan_in, fan_out) follows the default dtype, as nn.Linear does).
"""

import math

import torch
from torch import nn

from solutions.activations import functions as _ref
from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)


class SwiGLU(_ref.SwiGLU):
    def __init__(self, d_model, d_hidden):
        nn.Module.__init__(self)

        def uniform(fan_in, fan_out):
            bound = 1.0 / math.sqrt(fan_in)
            return nn.Parameter(torch.empty(fan_in, fan_out, dtype=torch.float32).uniform_(-bound, bound))

        self.w_gate = uniform(d_model, d_hidden)
        self.w_up = uniform(d_model, d_hidden)
        self.w_down = uniform(d_hidden, d_model)
