"""Transposed weight gradient: with weights stored (out, in) like nn.Linear, y = x @ W.T + b
gives dW = dy.T @ x, of shape (out, in). Writing x.T @ dy (the formula for y = x @ W with W
stored (in, out)) returns the transpose: the wrong shape, or, when in == out, silently wrong
values. A gradient always has its parameter's shape."""

from solutions.training.manual_mlp import *  # noqa: F401,F403 (the rest is correct)


def mlp_backward(dlogits, cache):
    x, h, a, W2 = cache
    da = dlogits @ W2
    dh = da * (h > 0)
    return {"W1": x.T @ dh, "b1": dh.sum(0), "W2": a.T @ dlogits, "b2": dlogits.sum(0)}
