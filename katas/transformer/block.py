"""Day 20 — transformer/block: the feed-forward block, encoder and decoder layers (pre-LN and post-LN).

Write (all batch-first: x is (B, T, d_model), float32 or float64 like the parameters):
    FeedForward(d_model, dim_feedforward, dropout=0.0, activation="relu"):
        parameters linear1 = nn.Linear(d_model, dim_feedforward) and
        linear2 = nn.Linear(dim_feedforward, d_model) (state_dict keys linear1.weight,
        linear1.bias, linear2.weight, linear2.bias: the names torch's layers use);
        forward(x) = linear2(dropout(activation(linear1(x)))), activation "relu" (F.relu)
        or "gelu" (F.gelu, the exact erf form).

    EncoderLayer(d_model, nhead, dim_feedforward, dropout=0.0, norm_first=False):
        state_dict-compatible with nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward,
        dropout, batch_first=True, norm_first=norm_first) (ReLU, LayerNorm eps 1e-5):
            self_attn.*   your MultiHeadAttention(d_model, nhead) (in_proj_weight,
                          in_proj_bias, out_proj.weight, out_proj.bias)
            linear1.*, linear2.*   the feed-forward weights, held directly by the layer as
                          torch does (not inside a FeedForward submodule, whose keys would
                          read ff.linear1.*): the same wiring as FeedForward
            norm1.*, norm2.*       nn.LayerNorm(d_model): norm1 around self-attention,
                          norm2 around the feed-forward block
        forward(src, src_mask=None, src_key_padding_mask=None, is_causal=False) -> (B, T, d):
            sa(x) = self_attn(x, x, x, attn_mask=src_mask, key_padding_mask=src_key_padding_mask)[0]
            post-LN (norm_first=False):  x = norm1(x + sa(x));  x = norm2(x + ff(x))
            pre-LN  (norm_first=True):   x = x + sa(norm1(x));  x = x + ff(norm2(x))
        Dropout (p = dropout) applies to sa's output and ff's output before each residual
        add, and inside ff after the activation; it is active in train() mode only. The
        specs compare with dropout=0.0 or in eval() mode (torch's attention-weight dropout
        is not asked for).

    DecoderLayer(d_model, nhead, dim_feedforward, dropout=0.0, norm_first=False):
        state_dict-compatible with nn.TransformerDecoderLayer(..., batch_first=True): keys
        self_attn.*, multihead_attn.* (cross-attention, a second MultiHeadAttention),
        linear1.*, linear2.*, norm1.*, norm2.*, norm3.*.
        forward(tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False)
                -> (B, T, d); memory is (B, S, d) (the encoder's output):
            sa(x) = self_attn(x, x, x, attn_mask=tgt_mask, key_padding_mask=tgt_key_padding_mask)[0]
            ca(x) = multihead_attn(x, memory, memory, attn_mask=memory_mask,
                                   key_padding_mask=memory_key_padding_mask)[0]
                    (queries from the decoder, keys and values from memory)
            post-LN: x = norm1(x + sa(x)); x = norm2(x + ca(x)); x = norm3(x + ff(x))
            pre-LN:  x = x + sa(norm1(x)); x = x + ca(norm2(x)); x = x + ff(norm3(x))
            (memory itself is never normalised by the layer, and each call reads the memory it is
            given: nothing of an earlier call's memory, or of its keys and values, is kept.)
        Dropout as in EncoderLayer: on sa's, ca's and ff's outputs before each residual add,
        and inside ff after the activation; train() mode only.

    Masks follow nn.MultiheadAttention (see katas/attention/multi_head.py): bool True = NOT
    allowed, float = added to the scores; attn masks (T, T) / (T, S) or (B * nhead, ., .),
    key padding masks (B, T) / (B, S). The causal flags: torch treats is_causal /
    tgt_is_causal / memory_is_causal as a promise that the mask given IS causal; here, when
    the flag is True and its mask is None, build the causal mask yourself (query i may see
    keys j <= i, top-left aligned: torch.ones(T, S, dtype=torch.bool).triu(1) as a "hidden"
    mask); when a mask is given, use it as it is. A causal mask you build is bool (or has
    x's dtype): the result keeps the parameters' dtype whatever torch.get_default_dtype() is
    (a float mask made with torch.full(...) and no dtype= follows the default dtype).

Use your own multi-head attention: `from katas.attention.multi_head import MultiHeadAttention`
(finish attention/multi_head first). nn.Linear, nn.LayerNorm and nn.Dropout are allowed.
Inputs and masks must not be modified.

Off limits: nn.TransformerEncoderLayer, nn.TransformerDecoderLayer, nn.MultiheadAttention
(as base classes or submodules) and torch.nn.functional.multi_head_attention_forward, with
the fused kernels behind them (aten _transformer_encoder_layer_fwd, _native_multi_head_attention).
Run: pytest katas/transformer/block.py
"""

import torch
import torch.nn as nn

from katas.attention.multi_head import MultiHeadAttention  # noqa: F401 (yours, from attention/multi_head)


class FeedForward(nn.Module):
    """linear2(dropout(activation(linear1(x)))): (..., d_model) -> (..., d_model)."""

    def __init__(self, d_model: int, dim_feedforward: int, dropout: float = 0.0,
                 activation: str = "relu"):
        super().__init__()
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(..., d_model) -> (..., d_model)."""
        raise NotImplementedError


class EncoderLayer(nn.Module):
    """Self-attention + feed-forward, state_dict-compatible with nn.TransformerEncoderLayer."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int, dropout: float = 0.0,
                 norm_first: bool = False):
        super().__init__()
        raise NotImplementedError

    def forward(self, src: torch.Tensor, src_mask: torch.Tensor | None = None,
                src_key_padding_mask: torch.Tensor | None = None,
                is_causal: bool = False) -> torch.Tensor:
        """(B, T, d_model) -> (B, T, d_model)."""
        raise NotImplementedError


class DecoderLayer(nn.Module):
    """Self-attention + cross-attention + feed-forward, like nn.TransformerDecoderLayer."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int, dropout: float = 0.0,
                 norm_first: bool = False):
        super().__init__()
        raise NotImplementedError

    def forward(self, tgt: torch.Tensor, memory: torch.Tensor,
                tgt_mask: torch.Tensor | None = None, memory_mask: torch.Tensor | None = None,
                tgt_key_padding_mask: torch.Tensor | None = None,
                memory_key_padding_mask: torch.Tensor | None = None,
                tgt_is_causal: bool = False, memory_is_causal: bool = False) -> torch.Tensor:
        """tgt (B, T, d_model), memory (B, S, d_model) -> (B, T, d_model)."""
        raise NotImplementedError
