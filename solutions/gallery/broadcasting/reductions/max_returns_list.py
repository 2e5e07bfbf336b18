"""max that returns [values, indices], a list: unpacking works, but the contract (like
torch.max) is a tuple, and code that checks isinstance(result, tuple), hashes it or
concatenates it with other tuples breaks.

Fix: return values, indices (a tuple); a named tuple is fine too."""

from solutions.broadcasting import reductions as _reference
from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)


def max(x, dim=-1, keepdim=False):
    values, indices = _reference.max(x, dim, keepdim)
    return [values, indices]
