"""Draws one bias per layer and registers that same nn.Parameter as both bias_ih_l{k} and
bias_hh_l{k}: the state_dict has both keys and the forward pass is right after a
load_state_dict, but the two biases are one tensor, so an optimiser step moves them together
(and a fresh module has b_ih == b_hh), unlike nn.LSTM's two independent draws.

Fix: create a separate nn.Parameter(torch.empty(4 * H).uniform_(-b, b)) for each name.
"""

import math

import torch
import torch.nn as nn

from solutions.rnn import layers as _reference
from solutions.rnn.layers import *  # noqa: F401,F403 (the rest is correct)


class LSTM(_reference.LSTM):
    def __init__(self, input_size, hidden_size, num_layers=1, batch_first=False):
        nn.Module.__init__(self)
        self.input_size, self.hidden_size = input_size, hidden_size
        self.num_layers, self.batch_first = num_layers, batch_first
        bound = 1 / math.sqrt(hidden_size)
        for k in range(num_layers):
            fan = input_size if k == 0 else hidden_size
            self.register_parameter(f"weight_ih_l{k}", nn.Parameter(
                torch.empty(4 * hidden_size, fan).uniform_(-bound, bound)))
            self.register_parameter(f"weight_hh_l{k}", nn.Parameter(
                torch.empty(4 * hidden_size, hidden_size).uniform_(-bound, bound)))
            bias = nn.Parameter(torch.empty(4 * hidden_size).uniform_(-bound, bound))
            self.register_parameter(f"bias_ih_l{k}", bias)
            self.register_parameter(f"bias_hh_l{k}", bias)  # wrong: the same Parameter twice
