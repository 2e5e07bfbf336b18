"""forward builds a causal tgt_mask itself when none is given. It looks helpful for training,
but the contract is nn.Transformer.forward, which applies only the masks it is given: without
a tgt_mask every target position attends to every other one, and a model that adds its own
mask gives different outputs from nn.Transformer on the same weights (and cannot be used for
a bidirectional decoder).

Fix: pass tgt_mask through as given (None stays None); the caller passes a causal mask for
training."""

import torch

from solutions.transformer.encoder_decoder import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.encoder_decoder import Transformer as _Transformer


class Transformer(_Transformer):
    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
                src_key_padding_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None):
        if tgt_mask is None:
            T = tgt.shape[1]
            tgt_mask = torch.ones(T, T, dtype=torch.bool, device=tgt.device).triu(1)
        return super().forward(src, tgt, src_mask, tgt_mask, memory_mask, src_key_padding_mask,
                               tgt_key_padding_mask, memory_key_padding_mask)
