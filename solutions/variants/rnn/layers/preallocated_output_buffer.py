"""Correct variant: each layer writes its step outputs into a preallocated x.new_empty(T, B, H)
buffer (out[t] = h, recorded by autograd), the state is cloned once, parameters are made by
nn.init.uniform_ after registration."""

import math

import torch
import torch.nn as nn

from katas.rnn.cells import lstm_cell


class LSTM(nn.Module):
    def __init__(self, input_size, hidden_size, num_layers=1, batch_first=False):
        super().__init__()
        self.hidden_size, self.num_layers, self.batch_first = hidden_size, num_layers, batch_first
        for k in range(num_layers):
            cols = input_size if k == 0 else hidden_size
            self.register_parameter(f"weight_ih_l{k}", nn.Parameter(torch.empty(4 * hidden_size, cols)))
            self.register_parameter(f"weight_hh_l{k}", nn.Parameter(torch.empty(4 * hidden_size, hidden_size)))
            self.register_parameter(f"bias_ih_l{k}", nn.Parameter(torch.empty(4 * hidden_size)))
            self.register_parameter(f"bias_hh_l{k}", nn.Parameter(torch.empty(4 * hidden_size)))
        bound = 1 / math.sqrt(hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def forward(self, x, state=None):
        if self.batch_first:
            x = x.transpose(0, 1)
        T, B, _ = x.shape
        H, L = self.hidden_size, self.num_layers
        h0 = x.new_zeros(L, B, H) if state is None else state[0]
        c0 = x.new_zeros(L, B, H) if state is None else state[1]
        seq, hs, cs = x, [], []
        for k in range(L):
            weights = [getattr(self, f"{n}_l{k}") for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
            out = x.new_empty(T, B, H)
            h, c = h0[k], c0[k]
            for t in range(T):
                h, c = lstm_cell(seq[t], (h, c), *weights)
                out[t] = h
            seq = out
            hs.append(h)
            cs.append(c)
        output = seq.transpose(0, 1) if self.batch_first else seq
        return output, (torch.stack(hs), torch.stack(cs))
