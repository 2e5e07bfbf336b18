"""Wraps the builder in functools.lru_cache: every call with the same sizes returns the SAME tensor,
so a caller that edits one result in place (table.mul_(scale), table += learned) changes what the
next call returns, although the contract promises a new tensor per call.

Fix: build the table per call, or keep a cache and return cached[:max_len].clone().
"""

import functools

from solutions.positional import sinusoidal as _reference
from solutions.positional.sinusoidal import *  # noqa: F401,F403 (the rest is correct)

sinusoidal_table = functools.lru_cache(maxsize=None)(_reference.sinusoidal_table)  # wrong: one shared tensor
