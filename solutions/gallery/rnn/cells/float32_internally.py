"""float32 detour: rnn_cell computes in float32 "to be safe" (x.float(), w.float(), ...) and
casts the result back to x's dtype. The dtype looks right, but float64 inputs lose every
digit after the 7th, which the contract rules out (float64 is computed in float64).

Fix: compute in the inputs' dtype; no .float() anywhere."""

import torch
import torch.nn.functional as F

from solutions.rnn.cells import *  # noqa: F401,F403 (the rest is correct)


def rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    out = torch.tanh(F.linear(x.float(), w_ih.float(), b_ih.float()) + F.linear(h.float(), w_hh.float(), b_hh.float()))
    return out.to(x.dtype)
