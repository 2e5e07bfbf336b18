"""Explicit style: every sublayer written out in both branches, float -inf causal masks, the decoder's dropouts in a ModuleList."""

import torch
import torch.nn as nn
import torch.nn.functional as F

from katas.attention.multi_head import MultiHeadAttention


def _causal_float(T, S, like):
    full = torch.full((T, S), float("-inf"), dtype=like.dtype, device=like.device)
    return torch.triu(full, diagonal=1)


class FeedForward(nn.Module):
    """linear2(dropout(activation(linear1(x))))."""

    def __init__(self, d_model, dim_feedforward, dropout=0.0, activation="relu"):
        super().__init__()
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.drop = nn.Dropout(dropout)
        self.act = nn.GELU() if activation == "gelu" else nn.ReLU()

    def forward(self, x):
        return self.linear2(self.drop(self.act(self.linear1(x))))


class EncoderLayer(nn.Module):
    def __init__(self, d_model, nhead, dim_feedforward, dropout=0.0, norm_first=False):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, nhead)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.drop_inner, self.drop_attn, self.drop_ffn = (nn.Dropout(dropout) for _ in range(3))
        self.pre = norm_first

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        if src_mask is None and is_causal and src_key_padding_mask is not None \
                and src_key_padding_mask.dtype == torch.bool:
            src_mask = torch.ones(src.shape[1], src.shape[1], dtype=torch.bool, device=src.device).triu(1)
        elif src_mask is None and is_causal:
            src_mask = _causal_float(src.shape[1], src.shape[1], src)
        x = src
        if self.pre:
            h = self.norm1(x)
            x = x + self.drop_attn(self.self_attn(h, h, h, attn_mask=src_mask,
                                                  key_padding_mask=src_key_padding_mask)[0])
            h = self.norm2(x)
            x = x + self.drop_ffn(self.linear2(self.drop_inner(F.relu(self.linear1(h)))))
        else:
            a = self.self_attn(x, x, x, attn_mask=src_mask, key_padding_mask=src_key_padding_mask)[0]
            x = self.norm1(x + self.drop_attn(a))
            x = self.norm2(x + self.drop_ffn(self.linear2(self.drop_inner(F.relu(self.linear1(x))))))
        return x


class DecoderLayer(nn.Module):
    def __init__(self, d_model, nhead, dim_feedforward, dropout=0.0, norm_first=False):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, nhead)
        self.multihead_attn = MultiHeadAttention(d_model, nhead)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.norm3 = nn.LayerNorm(d_model)
        self.drops = nn.ModuleList(nn.Dropout(dropout) for _ in range(4))
        self.pre = norm_first

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        T, S = tgt.shape[1], memory.shape[1]
        if tgt_mask is None and tgt_is_causal:
            tgt_mask = torch.ones(T, T, dtype=torch.bool, device=tgt.device).triu(1)
        if memory_mask is None and memory_is_causal:
            memory_mask = torch.ones(T, S, dtype=torch.bool, device=tgt.device).triu(1)
        d_sa, d_ca, d_ff, d_in = self.drops

        def sa(h):
            return self.self_attn(h, h, h, attn_mask=tgt_mask, key_padding_mask=tgt_key_padding_mask)[0]

        def ca(h):
            return self.multihead_attn(h, memory, memory, attn_mask=memory_mask,
                                       key_padding_mask=memory_key_padding_mask)[0]

        def ff(h):
            return self.linear2(d_in(F.relu(self.linear1(h))))

        x = tgt
        if self.pre:
            x = x + d_sa(sa(self.norm1(x)))
            x = x + d_ca(ca(self.norm2(x)))
            x = x + d_ff(ff(self.norm3(x)))
        else:
            x = self.norm1(x + d_sa(sa(x)))
            x = self.norm2(x + d_ca(ca(x)))
            x = self.norm3(x + d_ff(ff(x)))
        return x
