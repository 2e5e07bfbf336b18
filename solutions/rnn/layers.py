"""Day 13 — rnn/layers: reference solution."""

import math

import torch
import torch.nn as nn

from katas.rnn.cells import lstm_cell


class LSTM(nn.Module):
    """A stack of LSTM layers, state_dict-compatible with nn.LSTM."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 batch_first: bool = False):
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        self.num_layers, self.batch_first = num_layers, batch_first
        bound = 1 / math.sqrt(hidden_size)
        for k in range(num_layers):
            fan = input_size if k == 0 else hidden_size
            for name, shape in ((f"weight_ih_l{k}", (4 * hidden_size, fan)),
                                (f"weight_hh_l{k}", (4 * hidden_size, hidden_size)),
                                (f"bias_ih_l{k}", (4 * hidden_size,)),
                                (f"bias_hh_l{k}", (4 * hidden_size,))):
                self.register_parameter(name, nn.Parameter(torch.empty(shape).uniform_(-bound, bound)))

    def _weights(self, k: int) -> list[torch.Tensor]:
        return [getattr(self, f"{kind}_l{k}") for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]

    def forward(self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
                ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """x (T, B, I) or (B, T, I) -> (output, (h_n, c_n))."""
        if self.batch_first:
            x = x.transpose(0, 1)  # work time-major: (T, B, I)
        T, B, _ = x.shape
        if state is None:
            zeros = x.new_zeros(self.num_layers, B, self.hidden_size)
            state = (zeros, zeros)
        h_0, c_0 = state
        seq, h_n, c_n = x, [], []
        for k in range(self.num_layers):
            h, c = h_0[k], c_0[k]
            outputs = []
            for t in range(T):
                h, c = lstm_cell(seq[t], (h, c), *self._weights(k))
                outputs.append(h)
            seq = torch.stack(outputs)  # this layer's outputs feed the next layer
            h_n.append(h)
            c_n.append(c)
        output = seq.transpose(0, 1) if self.batch_first else seq
        return output, (torch.stack(h_n), torch.stack(c_n))
