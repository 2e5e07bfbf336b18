"""Torch-style clones: one layer deep-copied per position (like nn.TransformerEncoder), a stack module with its own forward, a precomputed float causal mask sliced per step, and only the unfinished rows decoded."""
import copy
import torch
import torch.nn as nn
from katas.transformer.block import DecoderLayer, EncoderLayer


class _Stack(nn.Module):
    def __init__(self, layer, n, d_model):
        super().__init__()
        self.layers = nn.ModuleList(copy.deepcopy(layer) for _ in range(n))
        self.norm = nn.LayerNorm(d_model)

    def forward(self, x, *args, **kwargs):
        for layer in self.layers:
            x = layer(x, *args, **kwargs)
        return self.norm(x)


class Transformer(nn.Module):
    def __init__(self, d_model, nhead, num_encoder_layers, num_decoder_layers, dim_feedforward,
                 dropout=0.0, norm_first=False):
        super().__init__()
        self.encoder = _Stack(EncoderLayer(d_model, nhead, dim_feedforward, dropout, norm_first),
                              num_encoder_layers, d_model)
        self.decoder = _Stack(DecoderLayer(d_model, nhead, dim_feedforward, dropout, norm_first),
                              num_decoder_layers, d_model)

    def encode(self, src, src_mask=None, src_key_padding_mask=None):
        return self.encoder(src, src_mask=src_mask, src_key_padding_mask=src_key_padding_mask)

    def decode(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
               memory_key_padding_mask=None):
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask)

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
                src_key_padding_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None):
        memory = self.encode(src, src_mask, src_key_padding_mask)
        return self.decode(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask,
                           memory_key_padding_mask)


def greedy_decode(model, src, bos_id, eos_id, max_len, src_key_padding_mask=None):
    with torch.no_grad():
        B, dev = src.shape[0], src.device
        memory = model.encode(src, src_key_padding_mask=src_key_padding_mask)
        full = torch.full((max_len, max_len), float("-inf"), device=dev).triu(1)
        out = torch.full((B, max_len), eos_id, dtype=torch.long, device=dev)
        out[:, 0] = bos_id
        live = torch.arange(B, device=dev)
        T = 1
        while T < max_len and live.numel():
            kpm = None if src_key_padding_mask is None else src_key_padding_mask[live]
            logits = model.decode(out[live, :T], memory[live], tgt_mask=full[:T, :T],
                                  memory_key_padding_mask=kpm)
            tok = logits[:, -1].argmax(-1)
            out[live, T] = tok
            live = live[tok != eos_id]
            T += 1
        return out[:, :T]
