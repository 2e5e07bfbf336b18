"""MLACache.update returns every row of the cache (`self.c_kv[:, :end]`) instead of the caller's
B rows: a cache made for batch 3 used by a batch of 2 hands back 3 sequences of latents, and the
attention either fails on the shape or mixes in a stale sequence.

Fix: return self.c_kv[:B, :end], self.k_rope[:B, :end].
"""

from solutions.mla.attention import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.attention import MLACache as _Correct


class MLACache(_Correct):
    def update(self, c_kv, k_rope, start_pos):
        B, T, _ = c_kv.shape
        end = start_pos + T
        if B > self.c_kv.shape[0] or end > self.c_kv.shape[1]:
            raise ValueError(f"cannot store batch {B} at {start_pos}..{end - 1}")
        self.c_kv[:B, start_pos:end] = c_kv
        self.k_rope[:B, start_pos:end] = k_rope
        return self.c_kv[:, :end], self.k_rope[:, :end]  # wrong: all batch_size rows
