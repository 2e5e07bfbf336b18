"""The masks the caller gives are kept on the layer in a dict keyed by their shape, dtype and
device (as if converting them were costly, or as if every mask of a shape were the same causal
one). The next call with other masks of the same shapes (another batch's padding, another
attention pattern) is answered with the first call's masks.

Fix: use the masks each call is given (convert them at every call: it is cheap); a cache, if
any, must be keyed by the mask tensors themselves, never by shape.
"""

from solutions.transformer.block import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.block import DecoderLayer as _DecoderLayer, EncoderLayer as _EncoderLayer


def _kept(layer, mask):
    if mask is None:
        return None
    kept = layer.__dict__.setdefault("_masks", {})
    return kept.setdefault((tuple(mask.shape), mask.dtype, mask.device), mask)  # wrong: stale after the 1st call


class EncoderLayer(_EncoderLayer):
    def _sa(self, x, mask, key_padding_mask):
        return super()._sa(x, _kept(self, mask), _kept(self, key_padding_mask))


class DecoderLayer(_DecoderLayer):
    def _sa(self, x, mask, key_padding_mask):
        return super()._sa(x, _kept(self, mask), _kept(self, key_padding_mask))

    def _ca(self, x, memory, mask, key_padding_mask):
        return super()._ca(x, memory, _kept(self, mask), _kept(self, key_padding_mask))
