"""MLACache.update returns everything ever written (a high-water length, max(length, end))
instead of the prefix up to start_pos + T: after a rewind (a rejected draft token, a step
regenerated at an earlier start_pos) the attention still sees the stale positions beyond it.

Fix: store at start_pos and return self.c_kv[:B, :start_pos + T], self.k_rope[:B, :start_pos + T].
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
        self.length = max(getattr(self, "length", 0), end)  # wrong: the prefix follows start_pos
        return self.c_kv[:B, :self.length], self.k_rope[:B, :self.length]
