"""Causal mask sliced from a triu table made once at import, _TRIU = torch.ones(1024, 1024).triu(1):
_TRIU[:T, :S] is too small once T or S passes 1024 (a long memory with memory_is_causal).

Fix: build torch.ones(T, S, dtype=torch.bool, device=x.device).triu(1) at every call.
"""

import torch
_TRIU = torch.ones(1024, 1024, dtype=torch.bool).triu(1)
import torch.nn as nn
import torch.nn.functional as F

from katas.attention.multi_head import MultiHeadAttention

ACTIVATIONS = {"relu": F.relu, "gelu": F.gelu}


def _causal(mask: torch.Tensor | None, is_causal: bool, T: int, S: int, device) -> torch.Tensor | None:
    """The mask to use: the given one, or (is_causal and none given) keys j > i hidden."""
    if mask is None and is_causal:
        return _TRIU[:T, :S].to(device)  # wrong: capped at 1024
    return mask


class FeedForward(nn.Module):
    """linear2(dropout(activation(linear1(x)))): (..., d_model) -> (..., d_model)."""

    def __init__(self, d_model: int, dim_feedforward: int, dropout: float = 0.0,
                 activation: str = "relu"):
        super().__init__()
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.dropout = nn.Dropout(dropout)
        self.activation = ACTIVATIONS[activation]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(..., d_model) -> (..., d_model)."""
        return self.linear2(self.dropout(self.activation(self.linear1(x))))


class EncoderLayer(nn.Module):
    """Self-attention + feed-forward, state_dict-compatible with nn.TransformerEncoderLayer."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int, dropout: float = 0.0,
                 norm_first: bool = False):
        super().__init__()
        self.norm_first = norm_first
        self.self_attn = MultiHeadAttention(d_model, nhead)
        # the feed-forward block, with torch's parameter names (linear1, linear2)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)

    def _sa(self, x, mask, key_padding_mask):
        x = self.self_attn(x, x, x, attn_mask=mask, key_padding_mask=key_padding_mask,
                           need_weights=False)[0]
        return self.dropout1(x)

    def _ff(self, x):
        return self.dropout2(self.linear2(self.dropout(F.relu(self.linear1(x)))))

    def forward(self, src: torch.Tensor, src_mask: torch.Tensor | None = None,
                src_key_padding_mask: torch.Tensor | None = None,
                is_causal: bool = False) -> torch.Tensor:
        """(B, T, d_model) -> (B, T, d_model)."""
        T = src.shape[1]
        mask = _causal(src_mask, is_causal, T, T, src.device)
        x = src
        if self.norm_first:  # pre-LN: normalise each sublayer's input, add its output
            x = x + self._sa(self.norm1(x), mask, src_key_padding_mask)
            x = x + self._ff(self.norm2(x))
        else:  # post-LN: add, then normalise the sum
            x = self.norm1(x + self._sa(x, mask, src_key_padding_mask))
            x = self.norm2(x + self._ff(x))
        return x


class DecoderLayer(nn.Module):
    """Self-attention + cross-attention + feed-forward, like nn.TransformerDecoderLayer."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int, dropout: float = 0.0,
                 norm_first: bool = False):
        super().__init__()
        self.norm_first = norm_first
        self.self_attn = MultiHeadAttention(d_model, nhead)
        self.multihead_attn = MultiHeadAttention(d_model, nhead)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.norm3 = nn.LayerNorm(d_model)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)
        self.dropout3 = nn.Dropout(dropout)

    def _sa(self, x, mask, key_padding_mask):
        x = self.self_attn(x, x, x, attn_mask=mask, key_padding_mask=key_padding_mask,
                           need_weights=False)[0]
        return self.dropout1(x)

    def _ca(self, x, memory, mask, key_padding_mask):
        # queries from the decoder stream, keys and values from the encoder's memory
        x = self.multihead_attn(x, memory, memory, attn_mask=mask,
                                key_padding_mask=key_padding_mask, need_weights=False)[0]
        return self.dropout2(x)

    def _ff(self, x):
        return self.dropout3(self.linear2(self.dropout(F.relu(self.linear1(x)))))

    def forward(self, tgt: torch.Tensor, memory: torch.Tensor,
                tgt_mask: torch.Tensor | None = None, memory_mask: torch.Tensor | None = None,
                tgt_key_padding_mask: torch.Tensor | None = None,
                memory_key_padding_mask: torch.Tensor | None = None,
                tgt_is_causal: bool = False, memory_is_causal: bool = False) -> torch.Tensor:
        """tgt (B, T, d_model), memory (B, S, d_model) -> (B, T, d_model)."""
        T, S = tgt.shape[1], memory.shape[1]
        tgt_mask = _causal(tgt_mask, tgt_is_causal, T, T, tgt.device)
        memory_mask = _causal(memory_mask, memory_is_causal, T, S, tgt.device)
        x = tgt
        if self.norm_first:
            x = x + self._sa(self.norm1(x), tgt_mask, tgt_key_padding_mask)
            x = x + self._ca(self.norm2(x), memory, memory_mask, memory_key_padding_mask)
            x = x + self._ff(self.norm3(x))
        else:
            x = self.norm1(x + self._sa(x, tgt_mask, tgt_key_padding_mask))
            x = self.norm2(x + self._ca(x, memory, memory_mask, memory_key_padding_mask))
            x = self.norm3(x + self._ff(x))
        return x
