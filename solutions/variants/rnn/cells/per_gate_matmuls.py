"""Correct variant: each gate's rows sliced out by index and multiplied separately with @ and .T."""

import torch


def _gate(x, h, w_ih, w_hh, b_ih, b_hh, k, H):
    rows = slice(k * H, (k + 1) * H)
    return x @ w_ih[rows].T + b_ih[rows] + h @ w_hh[rows].T + b_hh[rows]


def rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    return torch.tanh(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh)


def lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh):
    h, c = state
    H = h.shape[-1]
    i, f, g, o = (_gate(x, h, w_ih, w_hh, b_ih, b_hh, k, H) for k in range(4))
    c_next = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c_next), c_next


def gru_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    H = h.shape[-1]
    r = torch.sigmoid(_gate(x, h, w_ih, w_hh, b_ih, b_hh, 0, H))
    z = torch.sigmoid(_gate(x, h, w_ih, w_hh, b_ih, b_hh, 1, H))
    rows = slice(2 * H, 3 * H)
    n = torch.tanh(x @ w_ih[rows].T + b_ih[rows] + r * (h @ w_hh[rows].T + b_hh[rows]))
    return n + z * (h - n)
