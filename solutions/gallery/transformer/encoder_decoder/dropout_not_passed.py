"""The model's dropout never reaches its layers: EncoderLayer(d_model, nhead, dim_feedforward)
and DecoderLayer(...) built with their default dropout=0.0, so Transformer(..., dropout=0.1)
trains without any dropout at all (the state_dict and every eval() output are unchanged, so
only train() mode shows it).

Fix: build each layer with the model's settings: EncoderLayer(d_model, nhead,
dim_feedforward, dropout, norm_first), and the same for DecoderLayer."""

from solutions.transformer.encoder_decoder import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.encoder_decoder import DecoderLayer, EncoderLayer, _Stack
from solutions.transformer.encoder_decoder import Transformer as _Correct


class Transformer(_Correct):
    def __init__(self, d_model, nhead, num_encoder_layers, num_decoder_layers, dim_feedforward,
                 dropout=0.0, norm_first=False):
        super().__init__(d_model, nhead, num_encoder_layers, num_decoder_layers, dim_feedforward,
                         dropout, norm_first)
        args = dict(norm_first=norm_first)  # wrong: dropout left out
        self.encoder = _Stack([EncoderLayer(d_model, nhead, dim_feedforward, **args)
                               for _ in range(num_encoder_layers)], d_model)
        self.decoder = _Stack([DecoderLayer(d_model, nhead, dim_feedforward, **args)
                               for _ in range(num_decoder_layers)], d_model)
