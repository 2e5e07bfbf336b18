"""Correct variant: time-major via movedim, steps from x.unbind(0), per-layer weights looked up in a dict of parameters, its own inline cell."""

import math

import torch
import torch.nn as nn


class LSTM(nn.Module):
    def __init__(self, input_size, hidden_size, num_layers=1, batch_first=False):
        super().__init__()
        self.H, self.L, self.bf = hidden_size, num_layers, batch_first
        for k in range(num_layers):
            cols = input_size if k == 0 else hidden_size
            setattr(self, f"weight_ih_l{k}", nn.Parameter(torch.empty(4 * hidden_size, cols)))
            setattr(self, f"weight_hh_l{k}", nn.Parameter(torch.empty(4 * hidden_size, hidden_size)))
            setattr(self, f"bias_ih_l{k}", nn.Parameter(torch.empty(4 * hidden_size)))
            setattr(self, f"bias_hh_l{k}", nn.Parameter(torch.empty(4 * hidden_size)))
        a = 1.0 / math.sqrt(hidden_size)
        for p in self.parameters():
            nn.init.uniform_(p, -a, a)

    def forward(self, x, state=None):
        seq = x.movedim(1, 0) if self.bf else x
        B = seq.shape[1]
        if state is None:
            h0 = c0 = torch.zeros(self.L, B, self.H, dtype=seq.dtype, device=seq.device)
        else:
            h0, c0 = state
        p = dict(self.named_parameters())
        hs, cs = [], []
        steps = list(seq.unbind(0))
        for k in range(self.L):
            h, c = h0[k], c0[k]
            w_ih, w_hh = p[f"weight_ih_l{k}"], p[f"weight_hh_l{k}"]
            bias = p[f"bias_ih_l{k}"] + p[f"bias_hh_l{k}"]
            new = []
            for xt in steps:
                z = xt @ w_ih.t() + h @ w_hh.t() + bias
                i, f, g, o = z.split(self.H, dim=-1)
                c = f.sigmoid() * c + i.sigmoid() * g.tanh()
                h = o.sigmoid() * c.tanh()
                new.append(h)
            steps = new
            hs.append(h)
            cs.append(c)
        out = torch.stack(steps, dim=1 if self.bf else 0)
        return out, (torch.stack(hs), torch.stack(cs))
