"""Initialises from a generator seeded inside __init__ (torch.Generator().manual_seed(0)) "for
reproducibility": every value lies in U(-1/sqrt(H), 1/sqrt(H)), but every LSTM ever built gets
the same weights (an encoder and a decoder LSTM start identical) and the caller's
torch.manual_seed has no effect. nn.LSTM draws from torch's global generator.

Fix: p.uniform_(-bound, bound) (or torch.rand without generator=), and no seeding inside."""

import math

import torch

from solutions.rnn.layers import *  # noqa: F401,F403 (the rest is correct)
from solutions.rnn.layers import LSTM as _LSTM


class LSTM(_LSTM):
    def __init__(self, input_size, hidden_size, num_layers=1, batch_first=False):
        super().__init__(input_size, hidden_size, num_layers, batch_first)
        gen = torch.Generator().manual_seed(0)  # wrong: the same draws for every module
        bound = 1 / math.sqrt(hidden_size)
        with torch.no_grad():
            for p in self.parameters():
                p.copy_(torch.rand(p.shape, generator=gen) * 2 * bound - bound)
