"""Dropout only inside the feed-forward block: the outputs of self-attention (and of
cross-attention and the FFN in the decoder) are added to the residual stream undropped.
train() still differs from eval(), so the mistake hides, but two of the three places the
contract names are missing and the model regularises far less than torch's layer.

Fix: x = x + dropout1(sa(...)), x = x + dropout2(ff(...)) (decoder: dropout1/2/3 on sa, ca
and ff), besides the dropout inside ff after the activation."""

import torch.nn as nn

from solutions.transformer.block import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.block import DecoderLayer as _CorrectDecoder
from solutions.transformer.block import EncoderLayer as _CorrectEncoder


class EncoderLayer(_CorrectEncoder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dropout1 = nn.Identity()  # wrong: no dropout on the sublayer outputs
        self.dropout2 = nn.Identity()


class DecoderLayer(_CorrectDecoder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dropout1 = nn.Identity()  # wrong
        self.dropout2 = nn.Identity()
        self.dropout3 = nn.Identity()
