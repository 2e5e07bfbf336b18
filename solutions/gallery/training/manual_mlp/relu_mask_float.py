"""The ReLU mask is made with (h > 0).float(): multiplying a float16/bfloat16 gradient by a
float32 mask promotes dW1 and db1 to float32, though each gradient must have its
parameter's dtype.

Fix: da * (h > 0) (a bool mask keeps the dtype), or .to(h.dtype), or torch.where."""

from solutions.training.manual_mlp import *  # noqa: F401,F403 (the rest is correct)


def mlp_backward(dlogits, cache):
    x, h, a, W2 = cache
    dW2 = dlogits.T @ a
    db2 = dlogits.sum(0)
    dh = (dlogits @ W2) * (h > 0).float()
    return {"W1": dh.T @ x, "b1": dh.sum(0), "W2": dW2, "b2": db2}
