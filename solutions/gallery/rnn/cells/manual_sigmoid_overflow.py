"""Hand-made sigmoid that overflows: the LSTM gates use exp(a) / (1 + exp(a)). Past a ~ 88
in float32, exp(a) is inf and the gate is inf / inf = NaN instead of 1, so a cell fed large
inputs (or with large weights) returns NaN where nn.LSTMCell saturates.

Fix: torch.sigmoid (1 / (1 + exp(−a)) gets the forward right but not the gradient: at a
large negative a its backward computes 0 * inf = NaN)."""

import torch
import torch.nn.functional as F

from solutions.rnn.cells import *  # noqa: F401,F403 (the rest is correct)


def _sigmoid(a):
    e = torch.exp(a)
    return e / (1 + e)


def lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh):
    h, c = state
    i, f, g, o = (F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh)).chunk(4, dim=-1)
    c_next = _sigmoid(f) * c + _sigmoid(i) * torch.tanh(g)
    return _sigmoid(o) * torch.tanh(c_next), c_next
