"""Update gate flipped: h' = z * n + (1 - z) * h. In PyTorch's GRU a large z KEEPS the old
state: h' = (1 - z) * n + z * h. (Cho et al.'s paper writes it the other way round, so both
appear in tutorials; only one matches nn.GRUCell's weights.)"""

import torch
import torch.nn.functional as F

from solutions.rnn.cells import *  # noqa: F401,F403 (the rest is correct)


def gru_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    x_r, x_z, x_n = F.linear(x, w_ih, b_ih).chunk(3, dim=-1)
    h_r, h_z, h_n = F.linear(h, w_hh, b_hh).chunk(3, dim=-1)
    r = torch.sigmoid(x_r + h_r)
    z = torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * h_n)
    return z * n + (1 - z) * h
