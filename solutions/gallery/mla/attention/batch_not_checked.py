"""MLACache.update without the batch check: only start_pos + T > max_len is tested, so a batch
larger than the cache's batch_size reaches `self.c_kv[:B, ...] = c_kv`, where the slice stops at
batch_size rows and the write fails with a shape RuntimeError (or silently broadcasts) instead of
the promised ValueError.

Fix: if B > batch_size: raise ValueError(...) before writing.
"""

from solutions.mla.attention import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.attention import MLACache as _Correct


class MLACache(_Correct):
    def update(self, c_kv, k_rope, start_pos):
        B, T, _ = c_kv.shape
        end = start_pos + T
        if end > self.c_kv.shape[1]:  # wrong: B > batch_size is not checked
            raise ValueError(f"positions {start_pos}..{end - 1} exceed max_len {self.c_kv.shape[1]}")
        self.c_kv[:B, start_pos:end] = c_kv
        self.k_rope[:B, start_pos:end] = k_rope
        return self.c_kv[:B, :end], self.k_rope[:B, :end]
