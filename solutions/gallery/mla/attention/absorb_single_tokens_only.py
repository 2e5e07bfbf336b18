"""Takes the absorbed path only for single-token steps (absorb and T == 1) and expands the
cache for any chunk of several tokens: the outputs are equal, but a chunked prefill or a
speculative step of a few tokens at long context pays the naive cost, r * H * (nope + v) per
cached token, that absorb=True promises to avoid.

Fix: with absorb=True use the absorbed scores and W_UV after the attention for every T.
"""

from solutions.mla.attention import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.attention import MultiHeadLatentAttention as _Correct


class MultiHeadLatentAttention(_Correct):
    def forward(self, x, cache=None, start_pos=0, absorb=False):
        return super().forward(x, cache=cache, start_pos=start_pos,
                               absorb=absorb and x.shape[1] == 1)  # wrong: chunks expand the cache
