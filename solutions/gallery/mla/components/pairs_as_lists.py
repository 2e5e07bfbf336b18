"""Pairs returned as lists: queries, latent and expand_kv return the tuples (q_nope, q_rope),
(c_kv, k_rope) and (k_nope, v); returning [a, b] unpacks the same but is not the promised type
(callers that hash, compare or concatenate the result with tuples break). Fix: return a, b."""

from solutions.mla.components import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.components import MLAProjections as _Correct


class MLAProjections(_Correct):
    def queries(self, x, positions):
        return list(super().queries(x, positions))  # wrong: a list, not a tuple

    def latent(self, x, positions):
        return list(super().latent(x, positions))  # wrong: a list, not a tuple

    def expand_kv(self, c_kv):
        return list(super().expand_kv(c_kv))  # wrong: a list, not a tuple
