"""Default state in float32: with state=None the zero state is torch.zeros(num_layers, B, H),
which is float32 on the CPU whatever the module's dtype. After .double() the first step mixes
a float32 h with float64 weights and fails (or silently computes in the wrong dtype).

Fix: x.new_zeros(num_layers, B, H) (x's dtype and device)."""

import torch

from solutions.rnn.layers import *  # noqa: F401,F403 (the rest is correct)
from solutions.rnn.layers import LSTM as _LSTM


class LSTM(_LSTM):
    def forward(self, x, state=None):
        if state is None:
            B = x.shape[0] if self.batch_first else x.shape[1]
            zeros = torch.zeros(self.num_layers, B, self.hidden_size)
            state = (zeros, zeros)
        return super().forward(x, state)
