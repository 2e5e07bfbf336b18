"""The layers' feed-forward block also drops its input, linear2(dropout(relu(linear1(dropout(x))))):
in train() mode the normalised stream reaching linear1 loses half its entries; the contract's
dropouts sit after the activation and on ff's output, never on its input.

Fix: ff(x) = dropout2(linear2(dropout(relu(linear1(x))))) (decoder: dropout3), x as it came."""

import torch.nn.functional as F

from solutions.transformer.block import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.block import DecoderLayer as _CorrectDecoder
from solutions.transformer.block import EncoderLayer as _CorrectEncoder


class EncoderLayer(_CorrectEncoder):
    def _ff(self, x):
        x = self.dropout(x)  # wrong: ff's input is not dropped
        return self.dropout2(self.linear2(self.dropout(F.relu(self.linear1(x)))))


class DecoderLayer(_CorrectDecoder):
    def _ff(self, x):
        x = self.dropout(x)  # wrong
        return self.dropout3(self.linear2(self.dropout(F.relu(self.linear1(x)))))
