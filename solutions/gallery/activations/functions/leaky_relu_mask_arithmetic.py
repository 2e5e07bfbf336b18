"""LeakyReLU's forward as x * m + negative_slope * x * (1 - m) with a 0/1 float mask m: right
for every finite x, but at x = +inf the unused term is inf * 0 = NaN, and at -inf the first
one is, where F.leaky_relu gives +inf and -inf.

Fix: select, do not multiply: torch.where(x > 0, x, x * negative_slope).
"""

import torch

from solutions.activations import functions as _reference
from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)


class LeakyReLU(_reference.LeakyReLU):
    @staticmethod
    def forward(ctx, x, negative_slope=0.01):
        ctx.save_for_backward(x)
        ctx.negative_slope = negative_slope
        m = (x > 0).to(x.dtype)
        return x * m + negative_slope * x * (1 - m)
