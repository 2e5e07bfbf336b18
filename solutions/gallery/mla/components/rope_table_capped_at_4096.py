"""cos/sin tables precomputed once for 4096 positions (DeepSeek's precompute_freqs_cis with a
max_seq_len) and indexed by the positions: any position past 4095 (70000 in a long context)
is out of the table, although positions may be any int64.

Fix: compute the angles from the positions given: positions.to(x.dtype)[..., None] * inv_freq.
"""

import torch

from solutions.mla.components import *  # noqa: F401,F403 (the rest is correct)

_MAX_POSITIONS = 4096
_TABLES = {}


def rope_interleaved(x, positions, theta=10000.0):
    d = x.shape[-1]
    key = (d, theta, x.dtype, x.device)
    if key not in _TABLES:  # wrong: a table with a size cap
        inv_freq = theta ** (-torch.arange(0, d, 2, dtype=x.dtype, device=x.device) / d)
        angles = torch.arange(_MAX_POSITIONS, dtype=x.dtype, device=x.device)[:, None] * inv_freq
        _TABLES[key] = (angles.cos(), angles.sin())
    cos, sin = (t[positions] for t in _TABLES[key])
    a, b = x[..., 0::2], x[..., 1::2]
    return torch.stack([a * cos - b * sin, b * cos + a * sin], dim=-1).flatten(-2)
