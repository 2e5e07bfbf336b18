"""update returns a list: MLACache.update promises the tuple (c_kv_all, k_rope_all); [a, b]
unpacks the same in forward but is not the promised type (a caller comparing or hashing it, or
concatenating it with other tuples, breaks). Fix: return a, b."""

from solutions.mla.attention import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.attention import MLACache as _Correct


class MLACache(_Correct):
    def update(self, c_kv, k_rope, start_pos):
        return list(super().update(c_kv, k_rope, start_pos))  # wrong: a list, not a tuple
