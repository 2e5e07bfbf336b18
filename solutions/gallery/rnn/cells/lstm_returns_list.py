"""lstm_cell returns the list [h', c'] instead of the tuple (h', c') that the docstring (and
nn.LSTMCell) gives: unpacking works, but code that checks isinstance(state, tuple), hashes or
compares the state with a tuple (h, c) sees something else."""

from solutions.rnn import cells as _sol
from solutions.rnn.cells import *  # noqa: F401,F403 (the rest is correct)


def lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh):
    h_next, c_next = _sol.lstm_cell(x, state, w_ih, w_hh, b_ih, b_hh)
    return [h_next, c_next]  # wrong: a list, not the tuple (h', c')
