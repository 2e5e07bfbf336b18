"""batch_first ignored: the flag is stored but forward always reads x as (T, B, I). With
batch_first=True the input is (B, T, I), so the loop runs over the batch as if it were time,
mixing sequences together; the output even has the right shape when nothing else checks it.
Fix: when batch_first, transpose x to (T, B, I) before the loop and the output back to
(B, T, H) after it (h_n and c_n stay (num_layers, B, H))."""

import torch

from katas.rnn.cells import lstm_cell
from solutions.rnn.layers import LSTM as _Correct
from solutions.rnn.layers import *  # noqa: F401,F403 (the rest is correct)


class LSTM(_Correct):
    def forward(self, x, state=None):
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
            h_n.append(h)
            c_n.append(c)
        return seq, (torch.stack(h_n), torch.stack(c_n))
