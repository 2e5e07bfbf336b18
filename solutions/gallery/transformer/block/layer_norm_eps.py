"""LayerNorms built with eps=1e-6 (the RMSNorm / LLaMA habit) instead of torch's default 1e-5:
the state_dict still loads, and on inputs of unit scale the difference hides below 1e-6, but on
small activations (variance near eps) the normalised values differ by tens of percent.

Fix: nn.LayerNorm(d_model) with its default eps=1e-5, as nn.TransformerEncoderLayer uses."""

import torch.nn as nn

from solutions.transformer.block import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.block import DecoderLayer as _CorrectDecoder
from solutions.transformer.block import EncoderLayer as _CorrectEncoder


class EncoderLayer(_CorrectEncoder):
    def __init__(self, d_model, *args, **kwargs):
        super().__init__(d_model, *args, **kwargs)
        self.norm1 = nn.LayerNorm(d_model, eps=1e-6)  # wrong eps
        self.norm2 = nn.LayerNorm(d_model, eps=1e-6)


class DecoderLayer(_CorrectDecoder):
    def __init__(self, d_model, *args, **kwargs):
        super().__init__(d_model, *args, **kwargs)
        self.norm1 = nn.LayerNorm(d_model, eps=1e-6)  # wrong eps
        self.norm2 = nn.LayerNorm(d_model, eps=1e-6)
        self.norm3 = nn.LayerNorm(d_model, eps=1e-6)
