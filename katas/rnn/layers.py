"""Day 13 — rnn/layers: a multi-layer LSTM that loads nn.LSTM's weights.

Write:
    LSTM(input_size, hidden_size, num_layers=1, batch_first=False): an nn.Module whose
        state_dict has exactly nn.LSTM's keys and shapes, for every layer k = 0..num_layers-1:
            weight_ih_l{k}  (4H, I) for k = 0, (4H, H) above
            weight_hh_l{k}  (4H, H)
            bias_ih_l{k}    (4H,)
            bias_hh_l{k}    (4H,)
        (H = hidden_size, I = input_size; gate rows in the order i, f, g, o as in
        katas/rnn/cells.py), so `mine.load_state_dict(nn.LSTM(...).state_dict())` works.
        The keys come in nn.LSTM's order too: layer 0's four as listed above, then layer 1's,
        and so on (register them in that order; state_dict() and parameters() follow it).
        Initialise every parameter uniform in [-1/sqrt(H), 1/sqrt(H)], as nn.LSTM does: random
        draws from torch's global generator (torch.manual_seed makes them reproducible; two
        modules get different values; never seed inside the module).

    LSTM.forward(x, state=None) -> (output, (h_n, c_n)), exactly as nn.LSTM:
        x: (T, B, I), or (B, T, I) when batch_first=True. B may be any size, 0 included
            (empty output and states, as nn.LSTM); T >= 1 (nn.LSTM refuses an empty sequence).
        state: (h_0, c_0), each (num_layers, B, H); None means zeros.
        output: the LAST layer's hidden state at every step, (T, B, H) or (B, T, H) when
            batch_first=True.
        h_n, c_n: (num_layers, B, H) — batch_first never changes them — with h_n[k], c_n[k]
            the final state of layer k. Layer k's input is layer k-1's output sequence.
        dtype follows the parameters and x (float32, or float64 after .double()).

Off limits: nn.LSTM, torch.lstm, nn.LSTMCell, torch.lstm_cell and the fused RNN kernels.
Reuse your own cell: `from katas.rnn.cells import lstm_cell` (finish rnn/cells first).
Gradients flow through ordinary autograd. The input and state must not be modified.
Run: pytest katas/rnn/layers.py
"""

import torch
import torch.nn as nn

from katas.rnn.cells import lstm_cell  # noqa: F401 (your cell from rnn/cells)


class LSTM(nn.Module):
    """A stack of LSTM layers, state_dict-compatible with nn.LSTM."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 batch_first: bool = False):
        super().__init__()
        raise NotImplementedError

    def forward(self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
                ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        """x (T, B, I) or (B, T, I) -> (output, (h_n, c_n))."""
        raise NotImplementedError
