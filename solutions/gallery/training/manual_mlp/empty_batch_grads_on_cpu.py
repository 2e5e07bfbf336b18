"""mlp_backward with an empty-batch shortcut that returns torch.zeros(shape, dtype=...) without
device=: for N = 0 on a GPU the gradients come back on the CPU. Use torch.zeros_like(param) or
device=dlogits.device (or no shortcut: the matmuls over 0 rows already give zeros)."""

import torch

from solutions.training.manual_mlp import *  # noqa: F401,F403 (the rest is correct)
from solutions.training.manual_mlp import mlp_backward as _mlp_backward


def mlp_backward(dlogits, cache):
    x, h, a, W2 = cache
    if dlogits.shape[0] == 0:
        H, D, C = h.shape[1], x.shape[1], W2.shape[0]
        z = lambda *s: torch.zeros(*s, dtype=dlogits.dtype)  # noqa: E731
        return {"W1": z(H, D), "b1": z(H), "W2": z(C, H), "b2": z(C)}
    return _mlp_backward(dlogits, cache)
