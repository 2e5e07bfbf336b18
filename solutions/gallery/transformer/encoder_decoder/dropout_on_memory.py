"""An extra nn.Dropout on the encoder's output ("regularise memory too"): encode returns
dropout(encoder.norm(x)), which nn.Transformer never does. Every eval() output and the
state_dict are unchanged (dropout has no weights and is off in eval mode), but in train()
mode the decoder's cross-attention reads a memory with zeroed, rescaled features, so
training differs from the model the state_dict is meant to match.

Fix: dropout belongs inside the layers only (build them with the model's dropout); encode
ends with encoder.norm and decode with decoder.norm, in train() mode too."""

import torch.nn as nn

from solutions.transformer.encoder_decoder import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.encoder_decoder import Transformer as _Correct


class Transformer(_Correct):
    def __init__(self, d_model, nhead, num_encoder_layers, num_decoder_layers, dim_feedforward,
                 dropout=0.0, norm_first=False):
        super().__init__(d_model, nhead, num_encoder_layers, num_decoder_layers, dim_feedforward,
                         dropout, norm_first)
        self.memory_dropout = nn.Dropout(dropout)

    def encode(self, src, src_mask=None, src_key_padding_mask=None):
        return self.memory_dropout(super().encode(src, src_mask, src_key_padding_mask))  # wrong
