"""An explicit start_pos=0 is read as "not given": the cache remembers where the last call
ended, and a call with start_pos=0 on a used cache continues from there. Decoding one prompt
works, but reusing the cache for a new sequence (start_pos=0 again, as DeepSeek's generate
does) rotates the new tokens at the old positions and attends to the previous sequence's
latents, or overflows the cache.

Fix: start_pos is the caller's word: store at start_pos and attend to 0 .. start_pos + T - 1;
keep no position counter of your own that an explicit 0 falls back to.
"""

from solutions.mla.attention import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.attention import MultiHeadLatentAttention as _MLA


class MultiHeadLatentAttention(_MLA):
    def forward(self, x, cache=None, start_pos=0, absorb=False):
        if cache is not None:
            start_pos = start_pos or getattr(cache, "next_pos", 0)  # wrong: an explicit 0 continues
            cache.next_pos = start_pos + x.shape[1]
        return super().forward(x, cache, start_pos, absorb)
