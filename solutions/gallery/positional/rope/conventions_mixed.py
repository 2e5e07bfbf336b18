"""The two conventions mixed up: neighbouring channels (2i, 2i + 1) rotated when rotate-half
was asked, and the halves (i, i + head_dim/2) when interleaved pairs were asked. Both are valid
rotary embeddings (each keeps the relative-position property), which is why the mix-up is easy
to miss: but a checkpoint trained with one is garbage under the other. Llama in Hugging Face,
GPT-NeoX: rotate-half, pairs (i, i + d/2). GPT-J, Meta's original Llama, DeepSeek's MLA:
interleaved, pairs (2i, 2i + 1)."""

import torch

from solutions.positional.rope import *  # noqa: F401,F403 (the rest is correct)


def apply_rope(x, cos, sin, offset=0, interleaved=False):
    T = x.shape[-2]
    c, s = cos[offset:offset + T].to(x.dtype), sin[offset:offset + T].to(x.dtype)
    if not interleaved:  # wrong: the flag read the other way round
        a, b = x[..., 0::2], x[..., 1::2]
        return torch.stack([a * c - b * s, b * c + a * s], dim=-1).flatten(-2)
    half = x.shape[-1] // 2
    a, b = x[..., :half], x[..., half:]
    return torch.cat([a * c - b * s, b * c + a * s], dim=-1)
