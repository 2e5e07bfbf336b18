"""Initialises layer 1 properly and then copies its weight_hh and biases into every layer above
(one draw per shape, reused): each parameter is a separate tensor in [-1/sqrt(H), 1/sqrt(H)],
but the layers start identical instead of being independent random draws as in nn.LSTM.

Fix: call .uniform_(-b, b) on every parameter of every layer.
"""

import torch

from solutions.rnn import layers as _reference
from solutions.rnn.layers import *  # noqa: F401,F403 (the rest is correct)


class LSTM(_reference.LSTM):
    def __init__(self, input_size, hidden_size, num_layers=1, batch_first=False):
        super().__init__(input_size, hidden_size, num_layers, batch_first)
        with torch.no_grad():
            for k in range(2, num_layers):
                for kind in ("weight_hh", "bias_ih", "bias_hh"):  # wrong: a copied draw
                    getattr(self, f"{kind}_l{k}").copy_(getattr(self, f"{kind}_l1"))
