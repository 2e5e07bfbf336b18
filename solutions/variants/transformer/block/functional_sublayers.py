"""Functional style: one generic residual helper, F.linear / F.layer_norm / F.dropout on the modules' parameters, other dropout attribute names."""

import torch
import torch.nn as nn
import torch.nn.functional as F

from katas.attention.multi_head import MultiHeadAttention


def _mask(mask, flag, T, S, device):
    if mask is not None or not flag:
        return mask
    i = torch.arange(T, device=device)[:, None]
    j = torch.arange(S, device=device)[None, :]
    return j > i


def _ln(norm, x):
    return F.layer_norm(x, norm.normalized_shape, norm.weight, norm.bias, 1e-5)


class FeedForward(nn.Module):
    """linear2(dropout(activation(linear1(x))))."""

    def __init__(self, d_model, dim_feedforward, dropout=0.0, activation="relu"):
        super().__init__()
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.p, self.gelu = dropout, activation == "gelu"

    def forward(self, x):
        h = F.linear(x, self.linear1.weight, self.linear1.bias)
        h = F.gelu(h) if self.gelu else torch.clamp_min(h, 0)
        h = F.dropout(h, self.p, self.training)
        return F.linear(h, self.linear2.weight, self.linear2.bias)


class _Layer(nn.Module):
    def _residual(self, x, norm, fn):
        """pre-LN: x + drop(fn(norm(x))); post-LN: norm(x + drop(fn(x)))."""
        if self.norm_first:
            return x + F.dropout(fn(_ln(norm, x)), self.p, self.training)
        return _ln(norm, x + F.dropout(fn(x), self.p, self.training))

    def _ffn(self, x):
        h = F.dropout(F.relu(self.linear1(x)), self.p, self.training)
        return self.linear2(h)


class EncoderLayer(_Layer):
    def __init__(self, d_model, nhead, dim_feedforward, dropout=0.0, norm_first=False):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, nhead)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.p, self.norm_first = dropout, norm_first

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        T = src.shape[1]
        mask = _mask(src_mask, is_causal, T, T, src.device)
        x = self._residual(src, self.norm1, lambda y: self.self_attn(
            y, y, y, attn_mask=mask, key_padding_mask=src_key_padding_mask, need_weights=False)[0])
        return self._residual(x, self.norm2, self._ffn)


class DecoderLayer(_Layer):
    def __init__(self, d_model, nhead, dim_feedforward, dropout=0.0, norm_first=False):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, nhead)
        self.multihead_attn = MultiHeadAttention(d_model, nhead)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.norm1, self.norm2, self.norm3 = (nn.LayerNorm(d_model) for _ in range(3))
        self.p, self.norm_first = dropout, norm_first

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        T, S = tgt.shape[1], memory.shape[1]
        tm = _mask(tgt_mask, tgt_is_causal, T, T, tgt.device)
        mm = _mask(memory_mask, memory_is_causal, T, S, tgt.device)
        x = self._residual(tgt, self.norm1, lambda y: self.self_attn(
            y, y, y, attn_mask=tm, key_padding_mask=tgt_key_padding_mask, need_weights=False)[0])
        x = self._residual(x, self.norm2, lambda y: self.multihead_attn(
            y, memory, memory, attn_mask=mm, key_padding_mask=memory_key_padding_mask,
            need_weights=False)[0])
        return self._residual(x, self.norm3, self._ffn)
