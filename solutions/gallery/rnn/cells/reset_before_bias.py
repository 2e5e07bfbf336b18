"""Reset gate applied before adding b_hn: n = tanh(W_in x + b_in + r * (W_hn h) + b_hn).
PyTorch (and cuDNN) compute n = tanh(W_in x + b_in + r * (W_hn h + b_hn)): the reset gate
scales the whole hidden-side term, its bias included. The two are different networks, so
weights from nn.GRU give different outputs. Fix: compute W_hn h + b_hn first (e.g. from
F.linear(h, w_hh, b_hh)), then multiply by r."""

import torch
import torch.nn.functional as F

from solutions.rnn.cells import *  # noqa: F401,F403 (the rest is correct)


def gru_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    x_r, x_z, x_n = F.linear(x, w_ih, b_ih).chunk(3, dim=-1)
    h_r, h_z, h_n = F.linear(h, w_hh).chunk(3, dim=-1)
    b_hr, b_hz, b_hn = b_hh.chunk(3)
    r = torch.sigmoid(x_r + h_r + b_hr)
    z = torch.sigmoid(x_z + h_z + b_hz)
    n = torch.tanh(x_n + r * h_n + b_hn)
    return (1 - z) * n + z * h
