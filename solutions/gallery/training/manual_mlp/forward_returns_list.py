"""mlp_forward returns the list [logits, cache] where the contract promises the tuple
(logits, cache): every spec unpacked it (`logits, cache = ...`), which a list survives, but
code that tests isinstance(out, tuple), hashes it or concatenates it with another tuple breaks.

Fix: return logits, cache (a tuple)."""

from typing import Any

import torch

from solutions.training.manual_mlp import *  # noqa: F401,F403 (the rest is correct)


def mlp_forward(x: torch.Tensor, params: dict[str, torch.Tensor]) -> tuple[torch.Tensor, Any]:
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    h = x @ W1.T + b1
    a = h.clamp(min=0)
    logits = a @ W2.T + b2
    return [logits, (x, h, a, W2)]
