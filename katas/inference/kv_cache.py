"""Day 22 — inference/kv_cache: a KV cache for decoding, and a sliding-window cache.

Generating token n+1 with a decoder needs the keys and values of tokens 0..n. They never
change once computed (causal attention: a token only looks back), so keep them in a cache
and, at each step, compute q, k, v for the NEW token only. A decode step then costs work
proportional to the context (one query against n keys), instead of re-running the whole
prefix (n queries against n keys: quadratic).

Write:
    KVCache(batch, n_heads, max_len, head_dim, dtype=torch.float32, device=None)
        Preallocates two buffers, keys and values, each (batch, n_heads, max_len, head_dim)
        of `dtype` on `device` (None: the default device), filled as tokens arrive.
        length: an int attribute (or property), the number of positions stored; 0 at first.
        update(k, v) -> (keys, values), a tuple:
            k, v: (batch, n_heads, T, head_dim), T >= 1 new positions (possibly
                non-contiguous, e.g. straight from a transpose).
            Writes them into the buffers at positions length .. length+T-1 (in place: slice
            assignment or copy_), adds T to length, and returns every key and every value
            stored so far, each (batch, n_heads, length, head_dim): VIEWS of the buffers
            (slices, no copies). Never torch.cat onto the cache: that allocates a new
            (B, H, length, D) tensor at every step, which the specs measure.
            Raises ValueError if length + T would exceed max_len, or if k or v is not
            (batch, n_heads, T, head_dim) with the cache's own batch, n_heads and head_dim
            (a batch or head count of 1 would otherwise broadcast silently into the
            buffer), before writing anything: the cache is left as it was (same length,
            same contents, still usable).
        reset(): length back to 0 (the buffers are reused; their old values are ignored).

    SlidingWindowCache(batch, n_heads, window, head_dim, dtype=torch.float32, device=None)
        Keeps only the last `window` positions, in memory of a fixed size (a ring buffer of
        (batch, n_heads, window, head_dim) per tensor, or shifting): the bytes it holds do
        not grow however many tokens go through it.
        length: an int, the number of tokens seen so far (it grows past window: it is the
            position of the next token, which RoPE needs); 0 at first.
        update(k, v) -> (keys, values): appends T >= 1 positions (k, v shaped and checked
            as for KVCache: ValueError, cache unchanged, unless (batch, n_heads, T, head_dim))
            and returns the last
            min(length, window) keys and values, OLDEST FIRST (in position order), each
            (batch, n_heads, min(length, window), head_dim). They may be views or a fresh
            tensor of that fixed size.
        reset(): forget everything (length 0; the buffers stay where they are, on `device`).

    CachedSelfAttention(d_model, n_heads): causal multi-head self-attention with RoPE.
        Parameters (the specs load weights through load_state_dict; state_dict keys exactly):
            qkv.weight (3C, C), qkv.bias (3C,): an nn.Linear(C, 3C) named qkv; its output
                splits into q, k, v in that order (C channels each);
            proj.weight (C, C), proj.bias (C,): an nn.Linear(C, C) named proj.
        C = d_model, H = n_heads, D = C // H (even); head h owns channels h*D .. (h+1)*D - 1
        of q, of k and of v.
        forward(x, cache=None) -> (B, T, C), float32 or float64 (the parameters' dtype),
        computed in that dtype: for float64 everything is float64, RoPE's angles p * theta_i
        included (angles from a float32 arange are ~1e-7 off; the specs compare float64
        decoding to 1e-12):
            x: (B, T, C), the tokens AFTER those already in the cache (all of them without one).
            1. q, k, v = split(qkv(x)), each split into heads: (B, H, T, D).
            2. RoPE, rotate-half convention, base 10000, on q and k (not v): x[..., t, :]
               sits at position p = start + t, where start = cache.length before this call
               (0 without a cache); with theta_i = 10000^(-2i/D), i = 0..D/2-1, the channel
               pair (i, i + D/2) turns by the angle p * theta_i:
                   out[i]       = x[i] * cos(p theta_i) - x[i + D/2] * sin(p theta_i)
                   out[i + D/2] = x[i + D/2] * cos(p theta_i) + x[i] * sin(p theta_i)
               Write this little helper yourself (this kata imports no other kata).
            3. With a cache: keys, values = cache.update(k, v) (rotated keys go into the
               cache); attend over those S keys. Without one: the T keys themselves.
            4. Causal attention, scale 1/sqrt(D): the new token t sees the keys at positions
               <= start + t. The new tokens are the LAST T of the S keys, so the mask is
               aligned bottom-right: query t sees key j when j <= S - T + t
               (torch.ones(T, S, dtype=torch.bool).tril(diagonal=S - T)). With T = 1 every
               key is visible. (F.scaled_dot_product_attention's is_causal=True aligns
               top-left: right only when S == T.)
            5. Merge the heads back to (B, T, C) and apply proj.
        Build every helper tensor (the mask, RoPE's positions and angles) on x's device: the
        model runs wherever its parameters and the cache are (a GPU, or the meta device in
        the specs).
        So decoding token by token through a cache (or a prefill of 7 tokens then 5 single
        tokens, or a chunk of 5) gives exactly the full causal forward of all the tokens.
        With a SlidingWindowCache, decode one token per call (T = 1): token p then sees the
        window keys at positions p - window < j <= p (sliding-window causal attention).
        A decode step must only do the new token's work: project the new token(s) only, and
        attend over the keys stored so far (not the whole max_len buffer, masked), so the
        step's FLOPs grow linearly with the context and do not depend on max_len.

Off limits: none (F.scaled_dot_product_attention is allowed, with the mask above).
Inputs must not be modified.
Run: pytest katas/inference/kv_cache.py
"""

import torch
import torch.nn as nn


class KVCache:
    """Preallocated keys and values of one attention layer: (B, H, max_len, D) each."""

    def __init__(self, batch: int, n_heads: int, max_len: int, head_dim: int,
                 dtype: torch.dtype = torch.float32, device: torch.device | str | None = None):
        raise NotImplementedError

    def update(self, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Write k, v (B, H, T, D) at positions length..length+T-1; return every key and value so far."""
        raise NotImplementedError

    def reset(self) -> None:
        """Forget every stored position (the buffers are reused)."""
        raise NotImplementedError


class SlidingWindowCache:
    """The last `window` keys and values only, in memory of a fixed size."""

    def __init__(self, batch: int, n_heads: int, window: int, head_dim: int,
                 dtype: torch.dtype = torch.float32, device: torch.device | str | None = None):
        raise NotImplementedError

    def update(self, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Append k, v (B, H, T, D); return the last min(length, window) keys and values, oldest first."""
        raise NotImplementedError

    def reset(self) -> None:
        """Forget every stored position."""
        raise NotImplementedError


class CachedSelfAttention(nn.Module):
    """Causal multi-head self-attention with RoPE that can decode through a cache."""

    def __init__(self, d_model: int, n_heads: int):
        super().__init__()
        raise NotImplementedError

    def forward(self, x: torch.Tensor, cache: KVCache | SlidingWindowCache | None = None) -> torch.Tensor:
        """x (B, T, C) -> (B, T, C); with a cache, x holds the tokens after the cached ones."""
        raise NotImplementedError
