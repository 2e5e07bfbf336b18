"""Post-LN with the dropout after the norm: x = dropout1(norm1(x + sa(x))) instead of
x = norm1(x + dropout1(sa(x))). In train() mode the dropout then zeroes (and rescales) the
residual stream itself, so about half of every token's features vanish between layers and the
next sublayer sees a stream the norm never produced; the sublayer's own output is never
regularised. Pre-LN and eval mode are unaffected, which is why it goes unnoticed.

Fix: drop the sublayer's output before the residual add, then normalise the sum:
x = norm1(x + dropout1(sa(x))); x = norm2(x + dropout2(ff(x)))."""

import torch.nn.functional as F

from solutions.transformer.block import *  # noqa: F401,F403 (the rest is correct)
from solutions.transformer.block import DecoderLayer as _CorrectDecoder
from solutions.transformer.block import EncoderLayer as _CorrectEncoder
from solutions.transformer.block import _causal


class EncoderLayer(_CorrectEncoder):
    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        if self.norm_first:
            return super().forward(src, src_mask, src_key_padding_mask, is_causal)
        mask = _causal(src_mask, is_causal, src.shape[1], src.shape[1], src.device)
        sa = self.self_attn(src, src, src, attn_mask=mask, key_padding_mask=src_key_padding_mask,
                            need_weights=False)[0]
        x = self.dropout1(self.norm1(src + sa))  # wrong: the dropout hits the normalised stream
        ff = self.linear2(self.dropout(F.relu(self.linear1(x))))
        return self.dropout2(self.norm2(x + ff))


class DecoderLayer(_CorrectDecoder):
    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        if self.norm_first:
            return super().forward(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask,
                                   memory_key_padding_mask, tgt_is_causal, memory_is_causal)
        T, S = tgt.shape[1], memory.shape[1]
        tgt_mask = _causal(tgt_mask, tgt_is_causal, T, T, tgt.device)
        memory_mask = _causal(memory_mask, memory_is_causal, T, S, tgt.device)
        sa = self.self_attn(tgt, tgt, tgt, attn_mask=tgt_mask, key_padding_mask=tgt_key_padding_mask,
                            need_weights=False)[0]
        x = self.dropout1(self.norm1(tgt + sa))  # wrong, as above
        ca = self.multihead_attn(x, memory, memory, attn_mask=memory_mask,
                                 key_padding_mask=memory_key_padding_mask, need_weights=False)[0]
        x = self.dropout2(self.norm2(x + ca))
        ff = self.linear2(self.dropout(F.relu(self.linear1(x))))
        return self.dropout3(self.norm3(x + ff))
