"""Day 19 — positional/rope: rotary position embeddings (RoPE), in both conventions.

RoPE encodes position m by rotating pairs of channels of a query or key by angles m * theta_i.
A query at position m and a key at position n then have a dot product that depends only on
m - n: attention sees relative positions.

Write:
    rope_cache(head_dim, max_len, base=10000.0) -> (cos, sin), each (max_len, head_dim // 2)
        float32, one column per FREQUENCY (not per channel):
            theta_i   = base^(-2i / head_dim)       for i = 0, 1, ..., head_dim/2 - 1
            cos[m, i] = cos(m * theta_i),   sin[m, i] = sin(m * theta_i),   m = 0..max_len-1
        (max_len has no upper limit).
        head_dim is even. float32 whatever torch.get_default_dtype() is, computed in float32 or
        float64 (torch.arange(n) / n follows the default dtype, bfloat16 under a bfloat16 default). (Llama's code stores the same columns twice, (max_len, head_dim);
        here every frequency appears once, and apply_rope pairs it with the right channels.)

    apply_rope(x, cos, sin, offset=0, interleaved=False) -> the same shape and dtype as x.
        x: (..., T, head_dim) float32 or float64, any leading dims, e.g. (B, H, T, head_dim);
            the positions run along dim -2: x[..., t, :] is the token at position offset + t.
            Any layout (a transposed or strided view, even one whose last dim is not stride 1)
            and any T >= 0 (T = 0 returns an empty tensor of x's shape).
        Computed in x's dtype: the tables are cast to x's dtype, so float32 x with float64
            tables returns float32, and float64 x with float64 tables keeps float64 accuracy
            (no float32 detour through .float()).
        cos, sin: (max_len, head_dim // 2) tables as rope_cache returns them (the spec also
            passes tables of its own), with max_len >= offset + T; use rows offset..offset+T-1.
        offset: the position of x[..., 0, :]. During decoding, a new token at position 57 is
            rotated with offset=57, not at position 0.
        Pair i of channels, with c = cos[offset + t, i] and s = sin[offset + t, i], turns
        counter-clockwise by the angle (offset + t) * theta_i:
            out[a] = x[a] * c - x[b] * s
            out[b] = x[b] * c + x[a] * s
        (as complex numbers: (x[a] + 1j * x[b]) * (c + 1j * s)), where the pair (a, b) is
            interleaved=False, "rotate-half" (GPT-NeoX, Llama, Hugging Face's rotate_half):
                a = i, b = i + head_dim/2    (the first half pairs with the second half)
            interleaved=True, "interleaved pairs" (GPT-J, Meta's original Llama code with
            view_as_complex, DeepSeek's MLA):
                a = 2i, b = 2i + 1           (neighbouring channels)
        Weights trained with one convention are wrong with the other: both are tested.
        Differentiable with respect to x. Any device (the tables live on x's device): helper
        tensors you build (an output buffer, position indices) go on x.device.

Off limits: none (torch has no RoPE built-in; torch.view_as_complex and torch.polar are fine).
Inputs must not be modified.
Run: pytest katas/positional/rope.py
"""

import torch


def rope_cache(head_dim: int, max_len: int, base: float = 10000.0) -> tuple[torch.Tensor, torch.Tensor]:
    """(cos, sin), each (max_len, head_dim // 2) float32: cos/sin(m * base^(-2i/head_dim))."""
    raise NotImplementedError


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, offset: int = 0,
               interleaved: bool = False) -> torch.Tensor:
    """Rotate channel pairs of x (..., T, head_dim) by the angles of positions offset..offset+T-1."""
    raise NotImplementedError
