"""SwiGLU initialised like nn.Linear with nn.init.kaiming_uniform_(w, a=sqrt(5)): that init
reads fan_in from dim 1, which is the input size of nn.Linear's (out, in) weight. These
weights are stored (in, out) and used as x @ w, so it takes fan_out instead: the spread is
1/sqrt(d_hidden) for w_gate and w_up and 1/sqrt(d_model) for w_down, far from
1/sqrt(fan_in) whenever d_model and d_hidden differ (a 16 x 256 matrix is 4x too narrow,
its transpose 4x too wide), and activations shrink or grow through the block.

Fix: bound = 1 / sqrt(w.shape[0]); torch.empty(fan_in, fan_out).uniform_(-bound, bound)
(or nn.init.kaiming_uniform_ on the transpose's layout: torch.empty(out, in) then .T).
"""

import math

import torch
from torch import nn

from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)
from solutions.activations.functions import swiglu


class SwiGLU(nn.Module):
    def __init__(self, d_model, d_hidden):
        super().__init__()
        self.w_gate = nn.Parameter(torch.empty(d_model, d_hidden))
        self.w_up = nn.Parameter(torch.empty(d_model, d_hidden))
        self.w_down = nn.Parameter(torch.empty(d_hidden, d_model))
        for w in (self.w_gate, self.w_up, self.w_down):
            nn.init.kaiming_uniform_(w, a=math.sqrt(5))

    def forward(self, x):
        return swiglu(x, self.w_gate, self.w_up) @ self.w_down
