"""greedy_decode switches to eval() for decoding and calls model.train() when it is done, as if
every model were in training: a model the caller had put in eval() mode comes back in train
mode, and every later evaluation runs with dropout on (the same sentence then translates
differently each time).

Fix: leave the mode alone (the caller calls model.eval() first); at the very least restore the
mode the model was in, not train()."""

from solutions.transformer.encoder_decoder import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.encoder_decoder import greedy_decode as _greedy_decode


def greedy_decode(model, src, bos_id, eos_id, max_len, src_key_padding_mask=None):
    model.eval()
    try:
        return _greedy_decode(model, src, bos_id, eos_id, max_len, src_key_padding_mask)
    finally:
        model.train()
