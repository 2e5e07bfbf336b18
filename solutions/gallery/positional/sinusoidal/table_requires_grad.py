"""Returns the table with requires_grad=True (as if it were a learned embedding): the values are
right, but the contract promises a constant, a tensor that does not require grad; added to the
token embeddings it makes autograd track (and accumulate a .grad on) a table nobody trains.

Fix: return the plain table; make a learned positional embedding an nn.Parameter elsewhere.
"""

from solutions.positional import sinusoidal as _reference
from solutions.positional.sinusoidal import *  # noqa: F401,F403 (the rest is correct)


def sinusoidal_table(max_len, d_model):
    return _reference.sinusoidal_table(max_len, d_model).requires_grad_()  # wrong: not a constant
