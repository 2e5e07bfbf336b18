"""Day 18 — attention/multi_head: multi-head attention that loads nn.MultiheadAttention's weights.

Write:
    MultiHeadAttention(embed_dim, num_heads, bias=True): an nn.Module whose state_dict has
        exactly the keys and shapes of nn.MultiheadAttention(embed_dim, num_heads, bias=bias,
        batch_first=True), so that `mine.load_state_dict(theirs.state_dict())` works:
            in_proj_weight   (3E, E)  rows 0..E-1 project q, E..2E-1 k, 2E..3E-1 v
            in_proj_bias     (3E,)    (only when bias=True)
            out_proj.weight  (E, E)   an nn.Linear(E, E, bias=bias) named out_proj
            out_proj.bias    (E,)     (only when bias=True)
        (E = embed_dim; with bias=False there is no in_proj_bias: register it as None, e.g.
        self.register_parameter("in_proj_bias", None)). embed_dim must be divisible by
        num_heads; every head has D = E // num_heads channels. Initialise as you like (torch
        uses xavier_uniform_ for in_proj_weight and zeros for the biases): the specs load
        weights through load_state_dict.

    MultiHeadAttention.forward(query, key, value, key_padding_mask=None, need_weights=True,
                               attn_mask=None, average_attn_weights=True)
            -> (output, weights), exactly as nn.MultiheadAttention(batch_first=True), with its
            argument order (callers may pass the masks and flags positionally):
        query (B, L, E), key (B, S, E), value (B, S, E), float32 or float64 (the parameters'
            dtype), computed in that dtype (float64 all the way: no float32 softmax), whatever
            torch.get_default_dtype() is. Any
            B, L, S >= 1, and size-0 batches or query sequences (B = 0 or L = 0) too; then S
            may be 0 as well (self-attention on an empty sequence: a row max over 0 keys fails).
            Scores may be large (+-100 in float32): a hand-written softmax subtracts the row
            max first. Self-attention passes the same tensor three times; cross-attention has
            L != S in general. query and key may also be one tensor with a different value
            (DETR passes x + pos, x + pos, x): project each of the three with its own weights.
            Any device: helper tensors you build (a bias from a bool mask) go on the inputs'
            device.
        1. project: q = query @ W_q^T + b_q, k = key @ W_k^T + b_k, v = value @ W_v^T + b_v
           (W_q, W_k, W_v = the three row blocks of in_proj_weight);
        2. split heads: (B, L, E) -> (B, H, L, D), head h owning channels h*D .. (h+1)*D - 1;
        3. per head: weights = softmax(q @ k^T / sqrt(D) + masks, over the keys) (B, H, L, S),
           out = weights @ v (B, H, L, D);
        4. merge heads back to (B, L, E) and apply out_proj.
        output: (B, L, E).
        weights: None when need_weights=False; otherwise the softmax weights averaged over
            the heads, (B, L, S), or per head, (B, H, L, S), when average_attn_weights=False.

    Masks — nn.MultiheadAttention's convention, the OPPOSITE of scaled_dot_product_attention's:
        a bool mask says True = NOT allowed (that key is hidden, its weight is 0);
        a float mask is ADDED to the scaled scores (-inf hides a key); float masks have the
            query's dtype.
        key_padding_mask: (B, S); True (or -inf) marks padding keys of each batch element.
        attn_mask: (L, S), the same for every batch element and head, or (B * H, L, S), one
            per (batch element, head) with index b * H + h.
        Both may be given (of the same kind: both bool or both float); a key is hidden if
        either hides it. The specs never hide every key of a query row (torch returns NaN or
        zeros there depending on need_weights: no behaviour is asked for).

    Dropout is not part of this kata (nn.MultiheadAttention's dropout=0.0). Gradients flow
    through ordinary autograd; inputs and masks must not be modified.
    You may reuse your own `from katas.attention.sdpa import scaled_dot_product_attention`
    (careful: its bool masks mean True = attend), but need_weights needs the weights
    themselves, so computing softmax(q k^T / sqrt(D)) yourself is simplest.

Off limits: nn.MultiheadAttention (also as a base class or submodule),
torch.nn.functional.multi_head_attention_forward, torch.nn.functional.scaled_dot_product_attention
and the fused aten kernels behind them (_native_multi_head_attention, _scaled_dot_product_*).
Run: pytest katas/attention/multi_head.py
"""

import torch
import torch.nn as nn


class MultiHeadAttention(nn.Module):
    """Multi-head attention, state_dict-compatible with nn.MultiheadAttention(batch_first=True)."""

    def __init__(self, embed_dim: int, num_heads: int, bias: bool = True):
        super().__init__()
        raise NotImplementedError

    def forward(self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                key_padding_mask: torch.Tensor | None = None, need_weights: bool = True,
                attn_mask: torch.Tensor | None = None, average_attn_weights: bool = True
                ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(B, L, E), (B, S, E), (B, S, E) -> (output (B, L, E), weights (B, L, S) or None)."""
        raise NotImplementedError
