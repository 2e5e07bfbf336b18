"""The layers' feed-forward block without its inner dropout: linear2(relu(linear1(x))) then a
dropout on its output only. torch's layers (and the contract) also drop the hidden units after
the activation: x = x + dropout2(linear2(dropout(relu(linear1(x))))).

Fix: keep both dropouts of the FFN sublayer: one after the activation, one on its output."""

import torch.nn.functional as F

from solutions.transformer.block import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.block import DecoderLayer as _CorrectDecoder
from solutions.transformer.block import EncoderLayer as _CorrectEncoder


class EncoderLayer(_CorrectEncoder):
    def _ff(self, x):
        return self.dropout2(self.linear2(F.relu(self.linear1(x))))  # wrong: no inner dropout


class DecoderLayer(_CorrectDecoder):
    def _ff(self, x):
        return self.dropout3(self.linear2(F.relu(self.linear1(x))))  # wrong
