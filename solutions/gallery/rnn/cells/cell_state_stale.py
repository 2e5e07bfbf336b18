"""h' computed from the old cell state: h' = o * tanh(c) instead of o * tanh(c'). The output
must see this step's memory: update c first, then read it through the output gate."""

import torch
import torch.nn.functional as F

from solutions.rnn.cells import *  # noqa: F401,F403 (the rest is correct)


def lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh):
    h, c = state
    i, f, g, o = (F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh)).chunk(4, dim=-1)
    c_next = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c_next
