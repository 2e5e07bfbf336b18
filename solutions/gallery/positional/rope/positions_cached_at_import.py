"""rope_cache slicing positions from a torch.arange(2048) made at import: for max_len > 2048 the
tables come back with only 2048 rows although max_len has no upper limit.

Fix: build torch.arange(max_len, dtype=torch.float64) on every call.
"""

import torch
_POS = torch.arange(2048, dtype=torch.float64)


def rope_cache(head_dim: int, max_len: int, base: float = 10000.0) -> tuple[torch.Tensor, torch.Tensor]:
    """(cos, sin), each (max_len, head_dim // 2) float32: cos/sin(m * base^(-2i/head_dim))."""
    theta = base ** (-torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim)  # (head_dim/2,)
    angles = _POS[:max_len, None] * theta             # (max_len, head_dim/2)
    return angles.cos().float(), angles.sin().float()


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, offset: int = 0,
               interleaved: bool = False) -> torch.Tensor:
    """Rotate channel pairs of x (..., T, head_dim) by the angles of positions offset..offset+T-1."""
    T = x.shape[-2]
    c = cos[offset:offset + T].to(x.dtype)  # (T, head_dim/2), broadcasts over the leading dims
    s = sin[offset:offset + T].to(x.dtype)
    if interleaved:
        a, b = x[..., 0::2], x[..., 1::2]           # pairs (2i, 2i + 1)
    else:
        half = x.shape[-1] // 2
        a, b = x[..., :half], x[..., half:]         # pairs (i, i + head_dim/2)
    ra = a * c - b * s
    rb = b * c + a * s
    if interleaved:
        return torch.stack([ra, rb], dim=-1).flatten(-2)  # back to a0 b0 a1 b1 ...
    return torch.cat([ra, rb], dim=-1)
