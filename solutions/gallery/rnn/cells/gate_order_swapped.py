"""Gate order swapped: the 4H rows of nn.LSTMCell's weights are the gates i, f, g, o
(input, forget, cell candidate, output). Reading them as i, f, o, g (the order some papers
and Keras' diagrams suggest) squashes the candidate with a sigmoid and the output gate with a
tanh: the cell still trains from scratch, but it cannot load PyTorch's weights. Fix: chunk
the 4H pre-activations into i, f, g, o in that order."""

import torch
import torch.nn.functional as F

from solutions.rnn.cells import *  # noqa: F401,F403 (the rest is correct)


def lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh):
    h, c = state
    gates = F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh)
    i, f, o, g = gates.chunk(4, dim=-1)
    c_next = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c_next), c_next
