"""Textbook sigmoid 1 / (1 + exp(-x)) for the gates. The forward saturates correctly (at
x = -100, exp(100) overflows to inf and 1/inf = 0), so every output is right, but the
backward multiplies d(1/u)/du = -1/u^2 = -0 by du/dx = -exp(-x) = -inf: 0 * inf = NaN. One
saturated gate then fills every gradient of the step, and training, with NaN.

Fix: torch.sigmoid (and torch.tanh): their backward uses s * (1 - s), which is finite."""

import torch
import torch.nn.functional as F

from solutions.rnn.cells import *  # noqa: F401,F403 (the rest is correct)


def _sigmoid(t):
    return 1 / (1 + torch.exp(-t))


def lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh):
    h, c = state
    i, f, g, o = (F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh)).chunk(4, dim=-1)
    c_next = _sigmoid(f) * c + _sigmoid(i) * torch.tanh(g)
    return _sigmoid(o) * torch.tanh(c_next), c_next


def gru_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    x_r, x_z, x_n = F.linear(x, w_ih, b_ih).chunk(3, dim=-1)
    h_r, h_z, h_n = F.linear(h, w_hh, b_hh).chunk(3, dim=-1)
    r = _sigmoid(x_r + h_r)
    z = _sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * h_n)
    return (1 - z) * n + z * h
