"""mlp_param_count builds the layers on the meta device and counts them: the number is right,
but the contract asks for a closed form with no module built (the point of the exercise is
the formula, and building costs time that grows with the model's structure).

Fix: return d_in * d_hidden + d_hidden * d_out + (d_hidden + d_out if bias else 0)."""

import torch
from torch import nn

from solutions.modules.mlp import *  # noqa: F401,F403 (the rest is correct)


def mlp_param_count(d_in, d_hidden, d_out, bias=True):
    with torch.device("meta"):
        layers = [nn.Linear(d_in, d_hidden, bias=bias), nn.Linear(d_hidden, d_out, bias=bias)]
    return sum(p.numel() for layer in layers for p in layer.parameters())
