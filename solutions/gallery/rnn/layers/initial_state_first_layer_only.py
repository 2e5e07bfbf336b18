"""Initial state used by the first layer only: the given (h_0, c_0) holds one state per layer,
(num_layers, B, H), but here h_0[0] seeds layer 0 and every higher layer starts from zeros.
Fix: layer k starts from h_0[k], c_0[k]."""

import torch

from katas.rnn.cells import lstm_cell
from solutions.rnn.layers import LSTM as _Correct
from solutions.rnn.layers import *  # noqa: F401,F403 (the rest is correct)


class LSTM(_Correct):
    def forward(self, x, state=None):
        if self.batch_first:
            x = x.transpose(0, 1)
        T, B, _ = x.shape
        zeros = x.new_zeros(B, self.hidden_size)
        seq, h_n, c_n = x, [], []
        for k in range(self.num_layers):
            h, c = (state[0][0], state[1][0]) if state is not None and k == 0 else (zeros, zeros)
            outputs = []
            for t in range(T):
                h, c = lstm_cell(seq[t], (h, c), *self._weights(k))
                outputs.append(h)
            seq = torch.stack(outputs)
            h_n.append(h)
            c_n.append(c)
        output = seq.transpose(0, 1) if self.batch_first else seq
        return output, (torch.stack(h_n), torch.stack(c_n))
