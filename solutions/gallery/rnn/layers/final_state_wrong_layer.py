"""Final state from the wrong layer: h_n and c_n stacked top layer first (or every entry
taken from one layer). nn.LSTM's h_n[k] is the last-step state of layer k, in layer order, so
h_n[-1] is the top layer's and equals output[-1] (time-major). A one-layer LSTM hides the bug.
Fix: append each layer's final (h, c) as the loop over layers reaches it, then stack."""

import torch

from katas.rnn.cells import lstm_cell
from solutions.rnn.layers import LSTM as _Correct
from solutions.rnn.layers import *  # noqa: F401,F403 (the rest is correct)


class LSTM(_Correct):
    def forward(self, x, state=None):
        if self.batch_first:
            x = x.transpose(0, 1)
        T, B, _ = x.shape
        if state is None:
            zeros = x.new_zeros(self.num_layers, B, self.hidden_size)
            state = (zeros, zeros)
        seq, h_n, c_n = x, [], []
        for k in range(self.num_layers):
            h, c = state[0][k], state[1][k]
            outputs = []
            for t in range(T):
                h, c = lstm_cell(seq[t], (h, c), *self._weights(k))
                outputs.append(h)
            seq = torch.stack(outputs)
            h_n.insert(0, h)  # top layer first: reversed
            c_n.insert(0, c)
        output = seq.transpose(0, 1) if self.batch_first else seq
        return output, (torch.stack(h_n), torch.stack(c_n))
