"""The scale 1/sqrt(D) kept on the module as a tensor at the FIRST call (a plain attribute, in
that call's dtype): after .double() it is still float32, so float64 scores are scaled by
1/sqrt(D) rounded to float32 (off by ~1e-8 at D = 3); float64 all the way includes the scale.
Use math.sqrt(D) at every call (or a buffer, which .double() converts)."""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def _additive(mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """nn.MultiheadAttention's masks as an additive bias: bool True (= hidden) -> -inf."""
    if mask.dtype == torch.bool:
        return torch.zeros(mask.shape, dtype=dtype, device=mask.device).masked_fill(mask, float("-inf"))
    return mask


class MultiHeadAttention(nn.Module):
    """Multi-head attention, state_dict-compatible with nn.MultiheadAttention(batch_first=True)."""

    def __init__(self, embed_dim: int, num_heads: int, bias: bool = True):
        super().__init__()
        assert embed_dim % num_heads == 0, "embed_dim must be divisible by num_heads"
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.head_dim = embed_dim // num_heads
        self.in_proj_weight = nn.Parameter(torch.empty(3 * embed_dim, embed_dim))
        if bias:
            self.in_proj_bias = nn.Parameter(torch.zeros(3 * embed_dim))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = nn.Linear(embed_dim, embed_dim, bias=bias)
        nn.init.xavier_uniform_(self.in_proj_weight)
        if bias:
            nn.init.zeros_(self.out_proj.bias)

    def forward(self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                key_padding_mask: torch.Tensor | None = None, need_weights: bool = True,
                attn_mask: torch.Tensor | None = None, average_attn_weights: bool = True
                ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(B, L, E), (B, S, E), (B, S, E) -> (output (B, L, E), weights (B, L, S) or None)."""
        B, L, E = query.shape
        S, H, D = key.shape[1], self.num_heads, self.head_dim

        w_q, w_k, w_v = self.in_proj_weight.chunk(3)
        b_q, b_k, b_v = self.in_proj_bias.chunk(3) if self.in_proj_bias is not None else (None,) * 3
        q, k, v = F.linear(query, w_q, b_q), F.linear(key, w_k, b_k), F.linear(value, w_v, b_v)

        # (B, T, E) -> (B, T, H, D) -> (B, H, T, D): head h owns channels h*D .. (h+1)*D - 1
        q = q.view(B, L, H, D).transpose(1, 2)
        k = k.view(B, S, H, D).transpose(1, 2)
        v = v.view(B, S, H, D).transpose(1, 2)

        if getattr(self, '_scale', None) is None:
            self._scale = torch.tensor(1.0 / math.sqrt(D), dtype=query.dtype, device=query.device)  # wrong: kept
        scores = (q @ k.transpose(-2, -1)) * self._scale
        if attn_mask is not None:
            bias = _additive(attn_mask, scores.dtype)
            scores = scores + (bias if bias.dim() == 2 else bias.view(B, H, L, S))
        if key_padding_mask is not None:
            scores = scores + _additive(key_padding_mask, scores.dtype).view(B, 1, 1, S)
        weights = scores.softmax(dim=-1)  # over the keys

        out = (weights @ v).transpose(1, 2).reshape(B, L, E)  # merge heads
        out = self.out_proj(out)
        if not need_weights:
            return out, None
        return out, weights.mean(dim=1) if average_attn_weights else weights
