"""Day 21 — transformer/encoder_decoder: the full Transformer and greedy decoding.

Write (batch-first throughout; float32 or float64 like the parameters):
    Transformer(d_model, nhead, num_encoder_layers, num_decoder_layers, dim_feedforward,
                dropout=0.0, norm_first=False):
        state_dict-compatible with nn.Transformer(d_model, nhead, num_encoder_layers,
        num_decoder_layers, dim_feedforward, dropout, batch_first=True, norm_first=norm_first):
            encoder.layers.{i}.*  your EncoderLayer(d_model, nhead, dim_feedforward, dropout,
                                  norm_first), i = 0 .. num_encoder_layers - 1
            encoder.norm.*        nn.LayerNorm(d_model): the encoder's final norm
            decoder.layers.{i}.*  your DecoderLayer(...), i = 0 .. num_decoder_layers - 1
            decoder.norm.*        nn.LayerNorm(d_model): the decoder's final norm
        Both final norms exist and are applied for norm_first=False too, as in nn.Transformer.
        num_encoder_layers, num_decoder_layers >= 1 (nn.Transformer needs at least one).
        Dropout acts inside the layers only: nothing comes after encoder.norm / decoder.norm,
        in train() mode too (no extra dropout on memory or on the output).
        (Any structure with these names works, e.g. self.encoder = nn.Module() with
        .layers = nn.ModuleList([...]) and .norm = nn.LayerNorm(d_model).)

        encode(src, src_mask=None, src_key_padding_mask=None) -> memory (B, S, d_model):
            src (B, S, d_model) through every encoder layer in order (each given the masks),
            then encoder.norm. Equal to nn.Transformer's .encoder(src, mask=src_mask,
            src_key_padding_mask=...).
        decode(tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
               memory_key_padding_mask=None) -> (B, T, d_model):
            tgt (B, T, d_model) through every decoder layer in order, each attending to the
            SAME memory (the encoder's output) with the masks, then decoder.norm. Equal to
            nn.Transformer's .decoder(tgt, memory, tgt_mask=..., memory_mask=..., ...).
        forward(src, tgt, src_mask=None, tgt_mask=None, memory_mask=None,
                src_key_padding_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None) -> (B, T, d_model):
            decode(tgt, encode(src, ...), ...), exactly nn.Transformer.forward. Like torch, it
            applies only the masks it is given: for training, pass a causal tgt_mask.
        Masks follow nn.MultiheadAttention: bool True = NOT allowed, float = added to the
        scores; src_mask (S, S), tgt_mask (T, T), memory_mask (T, S); key padding masks
        (B, S), (B, T), (B, S) with True at padding. A causal tgt_mask hides keys j > i:
        torch.ones(T, T, dtype=torch.bool).triu(1) (or nn.Transformer's float form,
        generate_square_subsequent_mask: -inf above the diagonal, 0 elsewhere).

    greedy_decode(model, src, bos_id, eos_id, max_len, src_key_padding_mask=None)
            -> (B, T_out) int64 token ids, on src's device:
        model: a sequence-to-sequence model (token ids in, logits out) with two methods,
            called with keyword arguments as named here:
                model.encode(src, src_key_padding_mask=...) -> memory
                model.decode(tgt, memory, tgt_mask=..., memory_key_padding_mask=...)
                    -> logits (B, T, vocab) for the target prefix tgt (B, T) int64
            (greedy_decode passes the prefix as an int64 tensor, also while it builds it)
            (e.g. embeddings + your Transformer's encode/decode + a linear head; the specs
            pass their own, built on nn.Transformer or on your Transformer). Its masks use the
            convention above.
        src: (B, S) int64 source token ids; src_key_padding_mask: (B, S) bool (True =
            padding) or None; pass it to encode, and to decode as memory_key_padding_mask.
        Algorithm: encode once; start every row with bos_id; repeatedly decode the whole
        prefix with a CAUSAL tgt_mask (the decoder must not look ahead, exactly as in
        training), take the argmax of the logits at the LAST position, append it.
        Row b is finished once it has produced eos_id (eos included in the output; the bos
        in column 0 was not produced, so bos_id == eos_id does not finish a row). After a
        row is finished, its later positions are filled with eos_id. Stop as soon as every row
        is finished, or when rows are max_len tokens long (bos included; max_len >= 1). So
        T_out = the longest row's length: <= max_len, and == max_len if some row never
        produced eos_id. Output column 0 is bos_id. max_len has no upper limit (build the
        causal mask at each step, not as a slice of a fixed-size table).
        Runs without gradients (decorate it with @torch.no_grad()): no step builds a graph.
        Returns an ordinary tensor: not one made under torch.inference_mode(), which autograd
        refuses later ("Inference tensors cannot be saved for backward" when the ids are fed
        to a training forward).
        Decodes in the mode the model is in and never changes it, in either direction (it calls
        neither model.eval() nor model.train(): the caller calls model.eval() first).

Reuse your layers: `from katas.transformer.block import EncoderLayer, DecoderLayer` (finish
transformer/block first). nn.LayerNorm, nn.ModuleList are allowed. Inputs must not be modified.

Off limits: nn.Transformer, nn.TransformerEncoder, nn.TransformerDecoder and their layers,
nn.MultiheadAttention (as base classes or submodules), torch.nn.functional.multi_head_attention_forward
and the fused kernels behind them.
Run: pytest katas/transformer/encoder_decoder.py
"""

from typing import Any

import torch
import torch.nn as nn

from katas.transformer.block import DecoderLayer, EncoderLayer  # noqa: F401 (yours, from transformer/block)


class Transformer(nn.Module):
    """Encoder-decoder Transformer, state_dict-compatible with nn.Transformer(batch_first=True)."""

    def __init__(self, d_model: int, nhead: int, num_encoder_layers: int, num_decoder_layers: int,
                 dim_feedforward: int, dropout: float = 0.0, norm_first: bool = False):
        super().__init__()
        raise NotImplementedError

    def encode(self, src: torch.Tensor, src_mask: torch.Tensor | None = None,
               src_key_padding_mask: torch.Tensor | None = None) -> torch.Tensor:
        """src (B, S, d_model) -> memory (B, S, d_model): encoder layers, then encoder.norm."""
        raise NotImplementedError

    def decode(self, tgt: torch.Tensor, memory: torch.Tensor, tgt_mask: torch.Tensor | None = None,
               memory_mask: torch.Tensor | None = None,
               tgt_key_padding_mask: torch.Tensor | None = None,
               memory_key_padding_mask: torch.Tensor | None = None) -> torch.Tensor:
        """tgt (B, T, d_model), memory (B, S, d_model) -> (B, T, d_model): decoder layers, then decoder.norm."""
        raise NotImplementedError

    def forward(self, src: torch.Tensor, tgt: torch.Tensor, src_mask: torch.Tensor | None = None,
                tgt_mask: torch.Tensor | None = None, memory_mask: torch.Tensor | None = None,
                src_key_padding_mask: torch.Tensor | None = None,
                tgt_key_padding_mask: torch.Tensor | None = None,
                memory_key_padding_mask: torch.Tensor | None = None) -> torch.Tensor:
        """src (B, S, d_model), tgt (B, T, d_model) -> (B, T, d_model), like nn.Transformer."""
        raise NotImplementedError


def greedy_decode(model: Any, src: torch.Tensor, bos_id: int, eos_id: int, max_len: int,
                  src_key_padding_mask: torch.Tensor | None = None) -> torch.Tensor:
    """src (B, S) int64 -> (B, T_out) int64: bos, then argmax tokens until eos (rows padded with eos)."""
    raise NotImplementedError
