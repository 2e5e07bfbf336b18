"""1 − z with a helper made on the default device: the GRU's update is written as
(torch.ones(z.shape, dtype=z.dtype) − z) * n + z * h. Values and dtype are right, but the ones
are made without device=, so on a GPU input they sit on the CPU and the subtraction fails:
the cell works in every CPU test and breaks on the first GPU run.

Fix: write 1 - z (a Python number broadcasts on any device), or torch.ones_like(z)."""

import torch
import torch.nn.functional as F

from solutions.rnn.cells import *  # noqa: F401,F403 (the rest is correct)


def gru_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    x_r, x_z, x_n = F.linear(x, w_ih, b_ih).chunk(3, dim=-1)
    h_r, h_z, h_n = F.linear(h, w_hh, b_hh).chunk(3, dim=-1)
    r = torch.sigmoid(x_r + h_r)
    z = torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * h_n)
    one = torch.ones(z.shape, dtype=z.dtype)
    return (one - z) * n + z * h
