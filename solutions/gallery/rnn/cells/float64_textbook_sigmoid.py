"""Textbook sigmoid 1 / (1 + exp(-x)) computed in float64 "to be safe" and cast back: at ±100
exp stays finite in float64 and everything is right, but a float32 pre-activation of -1e4 is
still one a float holds, exp(1e4) overflows float64 too, and the backward computes
-1/inf^2 * inf = NaN for every gradient of the step.

Fix: torch.sigmoid (and torch.tanh): their backward uses s * (1 - s), finite at any input."""

import torch
import torch.nn.functional as F

from solutions.rnn.cells import *  # noqa: F401,F403 (the rest is correct)


def _sigmoid(t):
    return (1 / (1 + torch.exp(-t.double()))).to(t.dtype)  # wrong: overflows past |t| ~ 709


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
