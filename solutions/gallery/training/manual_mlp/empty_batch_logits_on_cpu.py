"""mlp_forward with an empty-batch shortcut that builds the logits (and cached activations) with
torch.empty(0, C, dtype=x.dtype) but no device=: for N = 0 on a GPU the logits are on the CPU.
Use x.new_empty(...) / device=x.device (or no shortcut: x @ W1.T of 0 rows is already empty)."""

import torch

from solutions.training.manual_mlp import *  # noqa: F401,F403 (the rest is correct)
from solutions.training.manual_mlp import mlp_forward as _mlp_forward


def mlp_forward(x, params):
    if x.shape[0] == 0:
        W1, W2 = params["W1"], params["W2"]
        empty = lambda k: torch.empty(0, k, dtype=x.dtype)  # noqa: E731
        return empty(W2.shape[0]), (x, empty(W1.shape[0]), empty(W1.shape[0]), W2)
    return _mlp_forward(x, params)
