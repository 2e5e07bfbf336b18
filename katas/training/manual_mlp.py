"""Day 6 — training/manual_mlp: forward and backward of an MLP by hand.

The network is Linear -> ReLU -> Linear, with its parameters in a dict:
    params = {"W1": (H, D), "b1": (H,), "W2": (C, H), "b2": (C,)}
weights laid out like nn.Linear's, (out_features, in_features), so
    h = x @ W1.T + b1      (N, H)   pre-activation
    a = relu(h)            (N, H)
    logits = a @ W2.T + b2 (N, C)

Write:
    mlp_forward(x, params) -> (logits, cache): x (N, D) float, logits (N, C) in x's dtype.
        Any N >= 0: an empty batch (N = 0) gives empty logits, and mlp_backward then returns
        all-zero gradients of the parameters' shapes (a sum over no rows is 0).
        cache is yours: whatever mlp_backward needs (a tuple or dict of tensors).
    mlp_backward(dlogits, cache) -> grads: dlogits (N, C) is dL/dlogits for some scalar
        loss L; return a dict with the keys "W1", "b1", "W2", "b2", each dL/d(that
        parameter) with the parameter's shape and dtype. (You may add "x": dL/dx; it is not
        checked.)
    cross_entropy_grad(logits, y) -> (N, C): the gradient of
        F.cross_entropy(logits, y) (reduction="mean") with respect to logits, i.e.
        (softmax(logits) - one_hot(y)) / N. logits (N, C) float, y (N,) int64 in [0, C)
        (C has no upper limit). Same dtype as logits, computed in it (float64 stays float64).

Convention: the ReLU's gradient at exactly 0 is 0, as in torch (pass the gradient only
where h > 0).
Devices: every result is on its inputs' device; a helper tensor you build (a one-hot, a mask,
zeros) goes on that device too (F.one_hot(y, C), torch.zeros_like(...), device=x.device).
Off limits: autograd — torch.autograd.grad, torch.autograd.backward and Tensor.backward —
inside mlp_backward and cross_entropy_grad: every gradient is computed by hand.
(torch.softmax and F.one_hot are fine.)
Inputs (x, params, dlogits, logits, y) must not be modified.
Run: pytest katas/training/manual_mlp.py
"""

from typing import Any

import torch


def mlp_forward(x: torch.Tensor, params: dict[str, torch.Tensor]) -> tuple[torch.Tensor, Any]:
    """x (N, D) -> (logits (N, C), cache for mlp_backward)."""
    raise NotImplementedError


def mlp_backward(dlogits: torch.Tensor, cache: Any) -> dict[str, torch.Tensor]:
    """dL/dlogits (N, C) -> {"W1", "b1", "W2", "b2"}: dL/dparam, each of its parameter's shape."""
    raise NotImplementedError


def cross_entropy_grad(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """d F.cross_entropy(logits, y) / d logits = (softmax(logits) - one_hot(y)) / N."""
    raise NotImplementedError
