"""DecoderLayer builds its feed-forward output dropout as nn.Dropout(dropout or 0.1): an explicit
dropout=0.0 (the default) reads as "not given" and becomes torch's 0.1, so the decoder drops
activations in train() mode although the layer was asked for no dropout. eval() hides it.

Fix: nn.Dropout(dropout) everywhere; 0.0 is a real rate."""

import torch.nn as nn

from solutions.transformer.block import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.block import DecoderLayer as _CorrectDecoder


class DecoderLayer(_CorrectDecoder):
    def __init__(self, d_model, nhead, dim_feedforward, dropout=0.0, norm_first=False):
        super().__init__(d_model, nhead, dim_feedforward, dropout, norm_first)
        self.dropout3 = nn.Dropout(dropout or 0.1)  # wrong: 0.0 is falsy
