"""Parameters registered kind by kind (every layer's weight_ih, then every weight_hh, ...):
the keys and shapes are nn.LSTM's, so load_state_dict works, but state_dict() and
parameters() list them in another order than nn.LSTM's layer-by-layer order, which the
contract asks for (code that zips the two modules' parameters pairs the wrong tensors).

Fix: register layer by layer: weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}."""

import math

import torch
import torch.nn as nn

from solutions.rnn.layers import *  # noqa: F401,F403 (the rest is correct)
from solutions.rnn.layers import LSTM as _LSTM


class LSTM(_LSTM):
    def __init__(self, input_size, hidden_size, num_layers=1, batch_first=False):
        nn.Module.__init__(self)
        self.input_size, self.hidden_size = input_size, hidden_size
        self.num_layers, self.batch_first = num_layers, batch_first
        bound = 1 / math.sqrt(hidden_size)
        for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            for k in range(num_layers):
                fan = input_size if k == 0 else hidden_size
                shape = (4 * hidden_size, fan if kind == "weight_ih" else hidden_size)
                if kind.startswith("bias"):
                    shape = (4 * hidden_size,)
                self.register_parameter(f"{kind}_l{k}",
                                        nn.Parameter(torch.empty(shape).uniform_(-bound, bound)))
