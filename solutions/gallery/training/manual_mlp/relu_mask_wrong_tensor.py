"""ReLU mask taken from the wrong tensor: the backward of a = relu(h) lets the upstream
gradient through where the ReLU's INPUT h was positive: dh = da * (h > 0). Masking by the
sign of the gradient itself (da > 0, i.e. applying relu to the gradient) throws away every
negative gradient and keeps gradients of units that were switched off in the forward pass.
(Masking with a > 0 is fine: a > 0 exactly where h > 0.) Keep h (or a) in the cache."""

from solutions.training.manual_mlp import *  # noqa: F401,F403 (the rest is correct)


def mlp_backward(dlogits, cache):
    x, h, a, W2 = cache
    dW2 = dlogits.T @ a
    db2 = dlogits.sum(0)
    da = dlogits @ W2
    dh = da * (da > 0)
    return {"W1": dh.T @ x, "b1": dh.sum(0), "W2": dW2, "b2": db2}
