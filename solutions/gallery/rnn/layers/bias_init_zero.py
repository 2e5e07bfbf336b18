"""Biases initialised to zero: the weights follow U(-1/sqrt(H), 1/sqrt(H)) but bias_ih_l{k}
and bias_hh_l{k} start at zero ("biases are usually zero"). nn.LSTM draws every parameter,
biases included, from that uniform distribution, as the contract says; a fresh module then
differs from nn.LSTM in distribution.

Fix: .uniform_(-1/sqrt(H), 1/sqrt(H)) on every parameter."""

import torch

from solutions.rnn.layers import *  # noqa: F401,F403 (the rest is correct)
from solutions.rnn.layers import LSTM as _LSTM


class LSTM(_LSTM):
    def __init__(self, input_size, hidden_size, num_layers=1, batch_first=False):
        super().__init__(input_size, hidden_size, num_layers, batch_first)
        with torch.no_grad():
            for name, p in self.named_parameters():
                if name.startswith("bias"):
                    p.zero_()
