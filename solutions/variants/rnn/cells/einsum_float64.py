"""Correct variant: einsum for the affine maps, torch.split for the gates, computed in float64 and cast back."""

import torch


def _affine(v, w, b):
    return torch.einsum("bi,gi->bg", v.to(torch.float64), w.to(torch.float64)) + b.to(torch.float64)


def rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    return torch.tanh(_affine(x, w_ih, b_ih) + _affine(h, w_hh, b_hh)).to(x.dtype)


def lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh):
    h, c = state
    H = h.shape[-1]
    i, f, g, o = torch.split(_affine(x, w_ih, b_ih) + _affine(h, w_hh, b_hh), H, dim=1)
    c64 = f.sigmoid() * c.to(torch.float64) + i.sigmoid() * g.tanh()
    h64 = o.sigmoid() * c64.tanh()
    return h64.to(x.dtype), c64.to(x.dtype)


def gru_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    H = h.shape[-1]
    xr, xz, xn = torch.split(_affine(x, w_ih, b_ih), H, dim=1)
    hr, hz, hn = torch.split(_affine(h, w_hh, b_hh), H, dim=1)
    r, z = (xr + hr).sigmoid(), (xz + hz).sigmoid()
    n = (xn + r * hn).tanh()
    return ((1 - z) * n + z * h.to(torch.float64)).to(x.dtype)
