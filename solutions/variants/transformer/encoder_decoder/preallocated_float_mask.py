"""Preallocated style: plain nn.Module containers, an output buffer filled with eos up front, a float causal mask, per-row lengths."""

import torch
import torch.nn as nn

from katas.transformer.block import DecoderLayer, EncoderLayer


class Transformer(nn.Module):
    def __init__(self, d_model, nhead, num_encoder_layers, num_decoder_layers, dim_feedforward,
                 dropout=0.0, norm_first=False):
        super().__init__()
        self.encoder, self.decoder = nn.Module(), nn.Module()
        self.encoder.layers = nn.ModuleList(
            EncoderLayer(d_model, nhead, dim_feedforward, dropout, norm_first)
            for _ in range(num_encoder_layers))
        self.encoder.norm = nn.LayerNorm(d_model)
        self.decoder.layers = nn.ModuleList(
            DecoderLayer(d_model, nhead, dim_feedforward, dropout, norm_first)
            for _ in range(num_decoder_layers))
        self.decoder.norm = nn.LayerNorm(d_model)

    def encode(self, src, src_mask=None, src_key_padding_mask=None):
        for layer in self.encoder.layers:
            src = layer(src, src_mask, src_key_padding_mask)
        return self.encoder.norm(src)

    def decode(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
               memory_key_padding_mask=None):
        for layer in self.decoder.layers:
            tgt = layer(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask,
                        memory_key_padding_mask)
        return self.decoder.norm(tgt)

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
                src_key_padding_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None):
        return self.decode(tgt, self.encode(src, src_mask, src_key_padding_mask), tgt_mask,
                           memory_mask, tgt_key_padding_mask, memory_key_padding_mask)


def greedy_decode(model, src, bos_id, eos_id, max_len, src_key_padding_mask=None):
    B = src.shape[0]
    with torch.no_grad():
        memory = model.encode(src, src_key_padding_mask=src_key_padding_mask)
        out = torch.full((B, max_len), eos_id, dtype=torch.int64, device=src.device)
        out[:, 0] = bos_id
        alive = torch.ones(B, dtype=torch.bool, device=src.device)
        t = 1
        while t < max_len and alive.any():
            mask = torch.full((t, t), float("-inf"), device=src.device).triu(1)
            logits = model.decode(out[:, :t], memory, tgt_mask=mask,
                                  memory_key_padding_mask=src_key_padding_mask)
            nxt = logits[:, t - 1, :].argmax(-1)
            out[:, t] = torch.where(alive, nxt, torch.full_like(nxt, eos_id))
            alive = alive & (nxt != eos_id)
            t += 1
        return out[:, :t].clone()
