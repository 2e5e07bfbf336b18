"""Zero state cached on the first call: forward builds the default (h_0, c_0) once, for the
first batch it sees, and keeps it in self._zeros. A later call with another batch size reuses
a state of the wrong batch: (3, H) against a batch of 1 broadcasts into 3 rows of output (or
fails for a batch of 2).

Fix: build the zero state in every forward from this x: x.new_zeros(num_layers, B, H)."""

from solutions.rnn.layers import *  # noqa: F401,F403 (the rest is correct)
from solutions.rnn.layers import LSTM as _LSTM


class LSTM(_LSTM):
    def forward(self, x, state=None):
        if state is None:
            if getattr(self, "_zeros", None) is None:
                B = x.shape[0] if self.batch_first else x.shape[1]
                self._zeros = x.new_zeros(self.num_layers, B, self.hidden_size)
            state = (self._zeros, self._zeros)
        return super().forward(x, state)
