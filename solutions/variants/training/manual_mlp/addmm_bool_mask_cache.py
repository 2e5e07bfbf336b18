"""addmm forward caching the ReLU's bool mask in a dict, einsum weight gradients with torch.where, and the cross-entropy gradient by subtracting 1 at the target entries of a softmax copy."""

import torch


def mlp_forward(x, params):
    h = torch.addmm(params["b1"], x, params["W1"].t())
    a = torch.relu(h)
    logits = torch.addmm(params["b2"], a, params["W2"].t())
    return logits, {"x": x, "mask": h > 0, "a": a, "W2": params["W2"]}


def mlp_backward(dlogits, cache):
    dW2 = torch.einsum("nc,nh->ch", dlogits, cache["a"])
    dh = torch.where(cache["mask"], dlogits @ cache["W2"], 0.0)
    dW1 = torch.einsum("nh,nd->hd", dh, cache["x"])
    return {"W1": dW1, "b1": dh.sum(0), "W2": dW2, "b2": dlogits.sum(0)}


def cross_entropy_grad(logits, y):
    grad = torch.softmax(logits, dim=1).clone()
    grad[torch.arange(len(y)), y] -= 1
    return grad / logits.shape[0]
