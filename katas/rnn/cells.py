"""Day 13 — rnn/cells: one time step of an RNN, an LSTM and a GRU.

Each cell takes one time step of input and the previous state and returns the next state.
The weights are laid out exactly as in nn.RNNCell / nn.LSTMCell / nn.GRUCell, so the specs
can hand you those modules' own parameters:

    w_ih (G*H, I), w_hh (G*H, H), b_ih (G*H,), b_hh (G*H,)

where I = input_size, H = hidden_size and G is the number of gate blocks stacked along the
rows (1 for the RNN, 4 for the LSTM, 3 for the GRU). x is (B, I); h and c are (B, H); the
outputs have the dtype of the inputs (float32 or float64) and their device (any helper tensor
is made on x's device), and float64 inputs are computed in float64 throughout (not through
float32). Any pre-activation a float can hold is fine: gates
saturate to 0 or 1 (and tanh to ±1), never inf or NaN, and so do their gradients (finite,
~0), so use torch.sigmoid / torch.tanh, not a hand-made exp formula that overflows.
B may be any size, 0 and 1 included (B = 0 gives empty (0, H) outputs).

Write:
    rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh) -> h' (B, H):
        h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)
    lstm_cell(x, (h, c), w_ih, w_hh, b_ih, b_hh) -> (h', c'), each (B, H).
        The 4H rows are the gates in the order i, f, g, o (input, forget, cell candidate,
        output):
            i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)
            f = sigmoid(W_if x + b_if + W_hf h + b_hf)
            g = tanh(W_ig x + b_ig + W_hg h + b_hg)
            o = sigmoid(W_io x + b_io + W_ho h + b_ho)
            c' = f * c + i * g
            h' = o * tanh(c')
    gru_cell(x, h, w_ih, w_hh, b_ih, b_hh) -> h' (B, H).
        The 3H rows are the gates in the order r, z, n (reset, update, new):
            r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
            z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
            n = tanh(W_in x + b_in + r * (W_hn h + b_hn))     # r multiplies the bias too
            h' = (1 - z) * n + z * h

Off limits: nn.RNNCell, nn.LSTMCell, nn.GRUCell and the functions behind them
(torch.rnn_tanh_cell, torch.rnn_relu_cell, torch.lstm_cell, torch.gru_cell).
Matmuls, F.linear, torch.sigmoid, torch.tanh and chunk/split are all fine.
Gradients flow through ordinary autograd (no hand-written backward here).
Inputs must not be modified.
Run: pytest katas/rnn/cells.py
"""

import torch


def rnn_cell(x: torch.Tensor, h: torch.Tensor, w_ih: torch.Tensor, w_hh: torch.Tensor,
             b_ih: torch.Tensor, b_hh: torch.Tensor) -> torch.Tensor:
    """One Elman RNN step with tanh: (B, I), (B, H) -> (B, H)."""
    raise NotImplementedError


def lstm_cell(x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor], w_ih: torch.Tensor,
              w_hh: torch.Tensor, b_ih: torch.Tensor,
              b_hh: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """One LSTM step, gates i, f, g, o: (B, I), ((B, H), (B, H)) -> ((B, H), (B, H))."""
    raise NotImplementedError


def gru_cell(x: torch.Tensor, h: torch.Tensor, w_ih: torch.Tensor, w_hh: torch.Tensor,
             b_ih: torch.Tensor, b_hh: torch.Tensor) -> torch.Tensor:
    """One GRU step, gates r, z, n: (B, I), (B, H) -> (B, H)."""
    raise NotImplementedError
