"""Takes the absorbed path only when a cache is given and expands the latents otherwise
(absorb and cache is not None): the outputs are equal, but a full forward with absorb=True
builds per-head keys and values, and scores them nope + rope wide instead of against the
latents, which absorb=True promises not to do.

Fix: absorb=True means the absorbed path with or without a cache.
"""

from solutions.mla.attention import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.attention import MultiHeadLatentAttention as _Correct


class MultiHeadLatentAttention(_Correct):
    def forward(self, x, cache=None, start_pos=0, absorb=False):
        return super().forward(x, cache=cache, start_pos=start_pos,
                               absorb=absorb and cache is not None)  # wrong: no cache, no absorb
