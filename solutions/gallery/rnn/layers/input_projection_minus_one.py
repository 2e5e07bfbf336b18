"""Input projection reshaped with -1: to project every time step at once, each layer computes
F.linear(seq.reshape(T * B, -1), w_ih, b_ih).reshape(T, B, -1). For an empty batch (B = 0)
the tensor has 0 elements and -1 cannot be inferred, so the call raises where nn.LSTM returns
empty outputs and states.

Fix: spell the sizes out: seq.reshape(T * B, seq.shape[-1]) and .reshape(T, B, 4 * H)."""

import torch
import torch.nn.functional as F

from solutions.rnn.layers import *  # noqa: F401,F403 (the rest is correct)
from solutions.rnn.layers import LSTM as _Ref


class LSTM(_Ref):
    def forward(self, x, state=None):
        if self.batch_first:
            x = x.transpose(0, 1)
        T, B, _ = x.shape
        if state is None:
            zeros = x.new_zeros(self.num_layers, B, self.hidden_size)
            state = (zeros, zeros)
        h_0, c_0 = state
        seq, h_n, c_n = x, [], []
        for k in range(self.num_layers):
            w_ih, w_hh, b_ih, b_hh = self._weights(k)
            projected = F.linear(seq.reshape(T * B, -1), w_ih, b_ih).reshape(T, B, -1)
            h, c = h_0[k], c_0[k]
            outputs = []
            for t in range(T):
                i, f, g, o = (projected[t] + F.linear(h, w_hh, b_hh)).chunk(4, dim=-1)
                c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
                h = torch.sigmoid(o) * torch.tanh(c)
                outputs.append(h)
            seq = torch.stack(outputs)
            h_n.append(h)
            c_n.append(c)
        output = seq.transpose(0, 1) if self.batch_first else seq
        return output, (torch.stack(h_n), torch.stack(c_n))
