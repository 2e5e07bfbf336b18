"""Precomputes one table of 5000 positions per d_model (the max_len of the PyTorch tutorial's
PositionalEncoding) and slices it: right up to 5000 positions, but the contract has no size limit,
so sinusoidal_table(10007, d) comes back with only 5000 rows.

Fix: build the table for the max_len asked (or grow the cache when a larger size comes).
"""

from solutions.positional import sinusoidal as _reference
from solutions.positional.sinusoidal import *  # noqa: F401,F403 (the rest is correct)

_TABLES = {}


def sinusoidal_table(max_len, d_model):
    if d_model not in _TABLES:
        _TABLES[d_model] = _reference.sinusoidal_table(5000, d_model)  # wrong: a size cap
    return _TABLES[d_model][:max_len].clone()
