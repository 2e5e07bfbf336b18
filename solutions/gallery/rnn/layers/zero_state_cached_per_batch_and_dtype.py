"""Zero state cached between calls, rebuilt only when the batch size or dtype changes: the first
call makes it on that call's device (x.new_zeros, correct then) and keeps it in a plain
attribute, which does not move with model.to(...). After a CPU call and .to("cuda"), the next
state=None call meets a CPU state and fails.

Fix: build the zero state in every forward from this x: x.new_zeros(num_layers, B, H)."""

from solutions.rnn.layers import *  # noqa: F401,F403 (the rest is correct)
from solutions.rnn.layers import LSTM as _LSTM


class LSTM(_LSTM):
    def forward(self, x, state=None):
        if state is None:
            B = x.shape[0] if self.batch_first else x.shape[1]
            z = getattr(self, "_zeros", None)
            if z is None or z.shape[1] != B or z.dtype != x.dtype:  # wrong: the device is not checked
                z = self._zeros = x.new_zeros(self.num_layers, B, self.hidden_size)
            state = (z, z)
        return super().forward(x, state)
