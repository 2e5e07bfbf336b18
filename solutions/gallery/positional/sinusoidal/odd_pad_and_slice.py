"""Odd d_model handled by building the table for d_model + 1 and dropping the last channel:
the shape is right, but every frequency now uses the exponent 2i / (d_model + 1) instead of
2i / d_model, so all pairs but the first turn at the wrong rate.

Fix: keep d_model in the exponent and give the last (even) channel its own sin.
"""

from solutions.positional.sinusoidal import *  # noqa: F401,F403 (the rest is correct)
from solutions.positional.sinusoidal import sinusoidal_table as _ref


def sinusoidal_table(max_len, d_model):
    if d_model % 2:
        return _ref(max_len, d_model + 1)[:, :d_model]  # wrong: exponent over d_model + 1
    return _ref(max_len, d_model)
