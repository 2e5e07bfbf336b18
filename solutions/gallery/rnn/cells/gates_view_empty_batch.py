"""Gates split with view(B, 4, -1): the (B, 4H) pre-activations are reshaped to (B, 4, H) with
H left as -1 and unbound along dim 1. That is right for every B ≥ 1, but with an empty batch
(B = 0) there are no elements to infer -1 from, and torch raises, although the contract allows
any B, 0 included (torch.lstm_cell returns empty (0, H) tensors).

Fix: split along the last dim with gates.chunk(4, dim=-1) (or split(H, -1), or slices), or
spell out every size: view(B, 4, H)."""

import torch

from solutions.rnn.cells import *  # noqa: F401,F403 (the rest is correct)


def lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh):
    h, c = state
    gates = (x @ w_ih.t() + b_ih + h @ w_hh.t() + b_hh).view(x.shape[0], 4, -1)
    i, f, g, o = gates.unbind(1)
    c_next = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c_next), c_next
