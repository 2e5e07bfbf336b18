"""forward returns the final state as a list, output, [h_n, c_n]: the values are right and
unpacking works, but the contract is nn.LSTM's (output, (h_n, c_n)), a tuple inside a tuple,
and code written for nn.LSTM may test isinstance(state, tuple).

Fix: return output, (h_n, c_n)."""

from solutions.rnn.layers import *  # noqa: F401,F403 (the rest is correct)
from solutions.rnn.layers import LSTM as _LSTM


class LSTM(_LSTM):
    def forward(self, x, state=None):
        output, (h_n, c_n) = super().forward(x, state)
        return output, [h_n, c_n]
