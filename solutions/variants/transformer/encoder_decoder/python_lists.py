"""Python-list style: token rows kept as lists, a boolean mask built with arange comparisons, layers held as encoder_layers-style ModuleLists inside small container classes."""

import torch
import torch.nn as nn

from katas.transformer.block import DecoderLayer, EncoderLayer


class _Coder(nn.Module):
    def __init__(self, make, n, d_model):
        super().__init__()
        self.layers = nn.ModuleList([make() for _ in range(n)])
        self.norm = nn.LayerNorm(d_model)


class Transformer(nn.Module):
    def __init__(self, d_model, nhead, num_encoder_layers, num_decoder_layers, dim_feedforward,
                 dropout=0.0, norm_first=False):
        super().__init__()
        kw = dict(dropout=dropout, norm_first=norm_first)
        self.encoder = _Coder(lambda: EncoderLayer(d_model, nhead, dim_feedforward, **kw),
                              num_encoder_layers, d_model)
        self.decoder = _Coder(lambda: DecoderLayer(d_model, nhead, dim_feedforward, **kw),
                              num_decoder_layers, d_model)

    def encode(self, src, src_mask=None, src_key_padding_mask=None):
        h = src
        for i in range(len(self.encoder.layers)):
            h = self.encoder.layers[i](h, src_mask=src_mask, src_key_padding_mask=src_key_padding_mask)
        return self.encoder.norm(h)

    def decode(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
               memory_key_padding_mask=None):
        h = tgt
        for i in range(len(self.decoder.layers)):
            h = self.decoder.layers[i](h, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                                       tgt_key_padding_mask=tgt_key_padding_mask,
                                       memory_key_padding_mask=memory_key_padding_mask)
        return self.decoder.norm(h)

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
                src_key_padding_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None):
        memory = self.encode(src, src_mask=src_mask, src_key_padding_mask=src_key_padding_mask)
        return self.decode(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                           tgt_key_padding_mask=tgt_key_padding_mask,
                           memory_key_padding_mask=memory_key_padding_mask)


@torch.no_grad()
def greedy_decode(model, src, bos_id, eos_id, max_len, src_key_padding_mask=None):
    memory = model.encode(src, src_key_padding_mask=src_key_padding_mask)
    rows = [[bos_id] for _ in range(src.shape[0])]
    done = [False] * len(rows)
    while len(rows[0]) < max_len and not all(done):
        T = len(rows[0])
        pos = torch.arange(T, device=src.device)
        causal = pos[None, :] > pos[:, None]
        ys = torch.tensor(rows, dtype=torch.long, device=src.device)
        logits = model.decode(ys, memory, tgt_mask=causal, memory_key_padding_mask=src_key_padding_mask)
        best = logits[:, T - 1].argmax(-1).tolist()
        for b, tok in enumerate(best):
            rows[b].append(eos_id if done[b] else tok)
            done[b] = done[b] or tok == eos_id
    return torch.tensor(rows, dtype=torch.long, device=src.device)
