"""1 − z with a helper in the default dtype: the GRU's update is written as
(torch.ones(H, device=x.device) − z) * n + z * h. Right device, right values, but no dtype=, so
under torch.set_default_dtype(torch.float64) the ones are float64 and promote a float32 cell's
output to float64.

Fix: write 1 - z (a Python number keeps z's dtype), or torch.ones_like(z)."""

import torch
import torch.nn.functional as F

from solutions.rnn.cells import *  # noqa: F401,F403 (the rest is correct)


def gru_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    x_r, x_z, x_n = F.linear(x, w_ih, b_ih).chunk(3, dim=-1)
    h_r, h_z, h_n = F.linear(h, w_hh, b_hh).chunk(3, dim=-1)
    r = torch.sigmoid(x_r + h_r)
    z = torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * h_n)
    one = torch.ones(h.shape[-1], device=x.device)
    return (one - z) * n + z * h
