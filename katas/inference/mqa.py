"""Day 24 — inference/mqa: multi-query attention (MQA) and its small KV cache.

Multi-query attention (Shazeer 2019, "Fast Transformer Decoding: One Write-Head is All You
Need"; PaLM, Falcon) keeps ONE key head and ONE value head, shared by all n_heads query heads:
grouped-query attention with n_kv_heads = 1. Its KV cache holds 1 head instead of n_heads, so
it is n_heads times smaller than multi-head attention's, and so is the cache traffic of every
decode step.

Write:
    MQACache(batch, max_len, head_dim, dtype=torch.float32, device=None)
        The cache of one MQA layer. Preallocate, at construction, the keys and the values
        for max_len positions of the single kv head, e.g. two tensors of shape
        (batch, 1, max_len, head_dim) (zeros or empty) of `dtype` on `device` (None: the
        default device). Nothing else of that size: the spec adds up the bytes of every
        tensor the cache object holds (its attributes, also inside lists, tuples and dicts)
        and expects exactly 2 * batch * max_len * head_dim * element size (keys and
        values), plus at most 64 bytes of bookkeeping, right after construction and after
        decoding; that is 1/n_heads of a multi-head cache, which holds
        2 * batch * n_heads * max_len * head_dim elements. (No torch.cat growing the
        cache: the bytes are those of max_len positions from the start.)
        length: an int attribute (or property), the number of positions stored; 0 at first.
        update(k, v) -> (keys, values): k, v (batch, 1, T, head_dim), T >= 1 new positions;
            writes them at positions length .. length + T - 1, adds T to length, and returns
            every key and value stored so far, each (batch, 1, length, head_dim).
            Raises ValueError, before writing anything (length and contents unchanged), if
            length + T would exceed max_len or if k or v is not (batch, 1, T, head_dim) with
            the cache's own batch and head_dim (a batch of 1 would otherwise broadcast
            silently into every row of the buffer).

    MultiQueryAttention(d_model, n_heads): causal self-attention, an nn.Module.
        head_dim = d_model // n_heads (d_model divisible by n_heads). Parameters, all
        nn.Linear(..., bias=False), with exactly these state_dict keys:
            q_proj.weight  (d_model, d_model)    n_heads query heads
            k_proj.weight  (head_dim, d_model)   ONE key head
            v_proj.weight  (head_dim, d_model)   ONE value head
            o_proj.weight  (d_model, d_model)
        forward(x, cache=None) -> (B, T, d_model); x (B, T, d_model), float32 or float64
        (the parameters' dtype):
            q = q_proj(x).view(B, T, n_heads, head_dim).transpose(1, 2)   (B, n_heads, T, hd)
            k = k_proj(x), v = v_proj(x) as (B, 1, T, head_dim)            one shared head
            With a cache, x holds the tokens AFTER the cached ones: keys, values =
            cache.update(k, v), and the queries attend over those keys.
            Causal, scale 1 / sqrt(head_dim): a token sees the keys at its own position and
            before. Merge the heads back to (B, T, d_model) and apply o_proj.
            No positional encoding in this kata.
        The specs call forward with no cache, with an EMPTY cache (a prefill of T tokens:
        plain causal attention over them) or with T = 1 (a decode step: the new token sees
        every cached key, itself included; careful, is_causal=True on a single query would
        hide all keys but the first). Decoding token by token (or a prefill of 7 tokens then
        5 single tokens) through a cache must equal the full causal forward.
        Initialise as you like: the specs load weights with load_state_dict.

You may reuse your grouped-query attention: from katas.inference.gqa import
grouped_query_attention (q (B, n_heads, L, hd) with k, v (B, 1, S, hd)).

Off limits: none.
Inputs must not be modified.
Run: pytest katas/inference/mqa.py
"""

import torch
import torch.nn as nn


class MQACache:
    """Preallocated keys and values of one MQA layer: (batch, 1, max_len, head_dim) each."""

    def __init__(self, batch: int, max_len: int, head_dim: int, dtype: torch.dtype = torch.float32,
                 device: torch.device | str | None = None):
        raise NotImplementedError

    def update(self, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Write k, v (B, 1, T, hd) at positions length..length+T-1; return every key and value so far."""
        raise NotImplementedError


class MultiQueryAttention(nn.Module):
    """Causal self-attention with n_heads query heads and one shared key/value head."""

    def __init__(self, d_model: int, n_heads: int):
        super().__init__()
        raise NotImplementedError

    def forward(self, x: torch.Tensor, cache: MQACache | None = None) -> torch.Tensor:
        """(B, T, d_model) -> (B, T, d_model); with a cache, x holds the tokens after the cached ones."""
        raise NotImplementedError
