"""Correct variant: each layer's input projection for all steps computed in one matmul up front (F.linear over (T, B, I)), then the time loop adds only the hidden term."""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class LSTM(nn.Module):
    def __init__(self, input_size, hidden_size, num_layers=1, batch_first=False):
        super().__init__()
        self.hidden_size, self.num_layers, self.batch_first = hidden_size, num_layers, batch_first
        bound = 1 / math.sqrt(hidden_size)
        for k in range(num_layers):
            fan = input_size if k == 0 else hidden_size
            self.register_parameter(f"weight_ih_l{k}", nn.Parameter(torch.rand(4 * hidden_size, fan) * 2 * bound - bound))
            self.register_parameter(f"weight_hh_l{k}", nn.Parameter(torch.rand(4 * hidden_size, hidden_size) * 2 * bound - bound))
            self.register_parameter(f"bias_ih_l{k}", nn.Parameter(torch.rand(4 * hidden_size) * 2 * bound - bound))
            self.register_parameter(f"bias_hh_l{k}", nn.Parameter(torch.rand(4 * hidden_size) * 2 * bound - bound))

    def forward(self, x, state=None):
        seq = x.transpose(0, 1) if self.batch_first else x  # (T, B, I)
        T, B = seq.shape[0], seq.shape[1]
        H = self.hidden_size
        if state is None:
            h0 = seq.new_zeros(self.num_layers, B, H)
            c0 = seq.new_zeros(self.num_layers, B, H)
        else:
            h0, c0 = state
        h_n, c_n = [], []
        for k in range(self.num_layers):
            pre = F.linear(seq, getattr(self, f"weight_ih_l{k}"), getattr(self, f"bias_ih_l{k}"))  # (T, B, 4H)
            w_hh, b_hh = getattr(self, f"weight_hh_l{k}"), getattr(self, f"bias_hh_l{k}")
            h, c = h0[k], c0[k]
            outs = []
            for t in range(T):
                gates = pre[t] + F.linear(h, w_hh, b_hh)
                i, f, g, o = gates.chunk(4, dim=1)
                c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
                h = torch.sigmoid(o) * torch.tanh(c)
                outs.append(h)
            seq = torch.stack(outs, 0)
            h_n.append(h)
            c_n.append(c)
        out = seq.transpose(0, 1) if self.batch_first else seq
        return out, (torch.stack(h_n, 0), torch.stack(c_n, 0))
