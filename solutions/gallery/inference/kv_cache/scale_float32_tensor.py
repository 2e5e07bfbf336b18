"""The scale as a float32 tensor, 1 / torch.tensor(D).sqrt(): float64 attention is then scaled by
1/sqrt(D) rounded to float32, ~1e-8 off unless D is a power of 4 (the float64 spec's D = 4 hid it).
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def _check_shapes(buffer: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> None:
    """k and v must be (batch, n_heads, T, head_dim) with the buffer's batch, n_heads, head_dim."""
    B, H, _, D = buffer.shape
    for name, t in (("k", k), ("v", v)):
        if t.dim() != 4 or (t.shape[0], t.shape[1], t.shape[3]) != (B, H, D) or t.shape[2] != k.shape[2]:
            raise ValueError(f"{name} has shape {tuple(t.shape)}; this cache expects ({B}, {H}, T, {D}) "
                             f"with the same T for k and v")


class KVCache:
    """Preallocated keys and values of one attention layer: (B, H, max_len, D) each."""

    def __init__(self, batch: int, n_heads: int, max_len: int, head_dim: int,
                 dtype: torch.dtype = torch.float32, device: torch.device | str | None = None):
        self.max_len = max_len
        self.k = torch.zeros(batch, n_heads, max_len, head_dim, dtype=dtype, device=device)
        self.v = torch.zeros(batch, n_heads, max_len, head_dim, dtype=dtype, device=device)
        self.length = 0

    def update(self, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Write k, v (B, H, T, D) at positions length..length+T-1; return every key and value so far."""
        _check_shapes(self.k, k, v)
        start, end = self.length, self.length + k.shape[2]
        if end > self.max_len:
            raise ValueError(f"KVCache holds {self.max_len} positions; {start} stored + {k.shape[2]} new "
                             f"would be {end}")
        self.k[:, :, start:end] = k  # an in-place copy into the buffer: nothing new is allocated
        self.v[:, :, start:end] = v
        self.length = end
        return self.k[:, :, :end], self.v[:, :, :end]  # views, not copies

    def reset(self) -> None:
        """Forget every stored position (the buffers are reused)."""
        self.length = 0


class SlidingWindowCache:
    """The last `window` keys and values only, in a fixed (B, H, window, D) ring buffer."""

    def __init__(self, batch: int, n_heads: int, window: int, head_dim: int,
                 dtype: torch.dtype = torch.float32, device: torch.device | str | None = None):
        self.window = window
        self.k = torch.zeros(batch, n_heads, window, head_dim, dtype=dtype, device=device)
        self.v = torch.zeros(batch, n_heads, window, head_dim, dtype=dtype, device=device)
        self.length = 0  # tokens seen so far = the position of the next token

    def update(self, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Append k, v (B, H, T, D); return the last min(length, window) keys and values, oldest first."""
        _check_shapes(self.k, k, v)
        for t in range(k.shape[2]):  # slot of position p is p % window
            slot = (self.length + t) % self.window
            self.k[:, :, slot] = k[:, :, t]
            self.v[:, :, slot] = v[:, :, t]
        self.length += k.shape[2]
        if self.length <= self.window:
            return self.k[:, :, :self.length], self.v[:, :, :self.length]
        oldest = self.length % self.window  # the slot written longest ago
        order = torch.arange(oldest, oldest + self.window, device=self.k.device) % self.window
        return self.k[:, :, order], self.v[:, :, order]  # a (B, H, window, D) copy: fixed size

    def reset(self) -> None:
        """Forget every stored position."""
        self.length = 0


def _rope(x: torch.Tensor, start: int, base: float = 10000.0) -> torch.Tensor:
    """Rotate-half RoPE of x (B, H, T, D) at positions start..start+T-1."""
    T, D = x.shape[-2], x.shape[-1]
    inv_freq = base ** (-torch.arange(0, D, 2, dtype=torch.float64, device=x.device) / D)  # (D/2,)
    pos = torch.arange(start, start + T, dtype=torch.float64, device=x.device)
    angles = pos[:, None] * inv_freq                                                    # (T, D/2)
    cos, sin = angles.cos().to(x.dtype), angles.sin().to(x.dtype)
    a, b = x[..., :D // 2], x[..., D // 2:]
    return torch.cat([a * cos - b * sin, b * cos + a * sin], dim=-1)


class CachedSelfAttention(nn.Module):
    """Causal multi-head self-attention with RoPE that can decode through a cache."""

    def __init__(self, d_model: int, n_heads: int):
        super().__init__()
        assert d_model % n_heads == 0 and (d_model // n_heads) % 2 == 0
        self.n_heads = n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)

    def forward(self, x: torch.Tensor, cache: KVCache | SlidingWindowCache | None = None) -> torch.Tensor:
        """x (B, T, C) -> (B, T, C); with a cache, x holds the tokens after the cached ones."""
        B, T, C = x.shape
        H = self.n_heads
        q, k, v = self.qkv(x).split(C, dim=-1)
        q, k, v = (t.view(B, T, H, C // H).transpose(1, 2) for t in (q, k, v))  # (B, H, T, D)
        start = cache.length if cache is not None else 0
        q, k = _rope(q, start), _rope(k, start)
        if cache is not None:
            k, v = cache.update(k, v)  # every key/value so far: (B, H, S, D)
        S = k.shape[2]
        if T == 1:
            mask = None  # the newest token sees every key returned
        else:  # query i sits at key index S - T + i: the causal mask is aligned bottom-right
            mask = torch.ones(T, S, dtype=torch.bool, device=x.device).tril(diagonal=S - T)
        scale = 1 / torch.tensor(C // H).sqrt()  # a float32 0-dim tensor: 1/sqrt(D) rounded to float32
        w = torch.softmax((q @ k.transpose(-2, -1)) * scale, dim=-1) if mask is None else torch.softmax(
            ((q @ k.transpose(-2, -1)) * scale).masked_fill(~mask, float("-inf")), dim=-1)
        out = w @ v
        return self.proj(out.transpose(1, 2).reshape(B, T, C))
