"""greedy_decode calls model.eval() "to be safe" and never switches back: a model that was
being trained comes back in eval mode, so the training loop that called greedy_decode for a
quick look at its outputs silently trains on without dropout from then on.

Fix: leave the mode alone: the caller calls model.eval() before decoding, and greedy_decode
neither reads nor changes it."""

from solutions.transformer.encoder_decoder import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.encoder_decoder import greedy_decode as _greedy_decode


def greedy_decode(model, src, bos_id, eos_id, max_len, src_key_padding_mask=None):
    model.eval()
    return _greedy_decode(model, src, bos_id, eos_id, max_len, src_key_padding_mask)
