"""greedy_decode slices its causal tgt_mask from a 32 x 32 table made at import: every decode up
to max_len 32 is right, but a longer one hands the decoder a (32, 32) mask at T = 33 and fails;
the contract puts no upper limit on max_len."""

from typing import Any

import torch
import torch.nn as nn

from katas.transformer.block import DecoderLayer, EncoderLayer


class _Stack(nn.Module):
    """layers.{i}.* then norm.*: the key layout of nn.TransformerEncoder / nn.TransformerDecoder."""

    def __init__(self, layers: list[nn.Module], d_model: int):
        super().__init__()
        self.layers = nn.ModuleList(layers)
        self.norm = nn.LayerNorm(d_model)


class Transformer(nn.Module):
    """Encoder-decoder Transformer, state_dict-compatible with nn.Transformer(batch_first=True)."""

    def __init__(self, d_model: int, nhead: int, num_encoder_layers: int, num_decoder_layers: int,
                 dim_feedforward: int, dropout: float = 0.0, norm_first: bool = False):
        super().__init__()
        args = (d_model, nhead, dim_feedforward, dropout, norm_first)
        self.encoder = _Stack([EncoderLayer(*args) for _ in range(num_encoder_layers)], d_model)
        self.decoder = _Stack([DecoderLayer(*args) for _ in range(num_decoder_layers)], d_model)

    def encode(self, src: torch.Tensor, src_mask: torch.Tensor | None = None,
               src_key_padding_mask: torch.Tensor | None = None) -> torch.Tensor:
        """src (B, S, d_model) -> memory (B, S, d_model): encoder layers, then encoder.norm."""
        x = src
        for layer in self.encoder.layers:
            x = layer(x, src_mask=src_mask, src_key_padding_mask=src_key_padding_mask)
        return self.encoder.norm(x)

    def decode(self, tgt: torch.Tensor, memory: torch.Tensor, tgt_mask: torch.Tensor | None = None,
               memory_mask: torch.Tensor | None = None,
               tgt_key_padding_mask: torch.Tensor | None = None,
               memory_key_padding_mask: torch.Tensor | None = None) -> torch.Tensor:
        """tgt (B, T, d_model), memory (B, S, d_model) -> (B, T, d_model): decoder layers, then decoder.norm."""
        x = tgt
        for layer in self.decoder.layers:  # every layer reads the same memory
            x = layer(x, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                      tgt_key_padding_mask=tgt_key_padding_mask,
                      memory_key_padding_mask=memory_key_padding_mask)
        return self.decoder.norm(x)

    def forward(self, src: torch.Tensor, tgt: torch.Tensor, src_mask: torch.Tensor | None = None,
                tgt_mask: torch.Tensor | None = None, memory_mask: torch.Tensor | None = None,
                src_key_padding_mask: torch.Tensor | None = None,
                tgt_key_padding_mask: torch.Tensor | None = None,
                memory_key_padding_mask: torch.Tensor | None = None) -> torch.Tensor:
        """src (B, S, d_model), tgt (B, T, d_model) -> (B, T, d_model), like nn.Transformer."""
        memory = self.encode(src, src_mask, src_key_padding_mask)
        return self.decode(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask,
                           memory_key_padding_mask)


_CAUSAL = torch.ones(32, 32, dtype=torch.bool).triu(1)


@torch.no_grad()
def greedy_decode(model: Any, src: torch.Tensor, bos_id: int, eos_id: int, max_len: int,
                  src_key_padding_mask: torch.Tensor | None = None) -> torch.Tensor:
    """src (B, S) int64 -> (B, T_out) int64: bos, then argmax tokens until eos (rows padded with eos).

    No gradients (the decorator); the model's train/eval mode is neither read nor changed."""
    B = src.shape[0]
    memory = model.encode(src, src_key_padding_mask=src_key_padding_mask)
    ys = torch.full((B, 1), bos_id, dtype=torch.long, device=src.device)
    finished = torch.zeros(B, dtype=torch.bool, device=src.device)
    while ys.shape[1] < max_len and not bool(finished.all()):
        T = ys.shape[1]
        causal = _CAUSAL[:T, :T].to(src.device)
        logits = model.decode(ys, memory, tgt_mask=causal,
                              memory_key_padding_mask=src_key_padding_mask)
        next_token = logits[:, -1].argmax(dim=-1)
        next_token = next_token.masked_fill(finished, eos_id)  # finished rows: pad with eos
        ys = torch.cat([ys, next_token[:, None]], dim=1)
        finished |= next_token == eos_id
    return ys
