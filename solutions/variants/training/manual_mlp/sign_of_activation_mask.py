"""Correct variant: F.linear forward caching only x, a and W2; the ReLU's backward masks with sign(a) (1 where a > 0, 0 where a == 0); one-hot from an identity matrix on logits' device and dtype."""

import torch
import torch.nn.functional as F


def mlp_forward(x, params):
    a = F.linear(x, params["W1"], params["b1"]).relu()
    return F.linear(a, params["W2"], params["b2"]), {"x": x, "a": a, "W2": params["W2"]}


def mlp_backward(dlogits, cache):
    dh = (dlogits @ cache["W2"]) * torch.sign(cache["a"])
    return {"W2": torch.einsum("nc,nh->ch", dlogits, cache["a"]), "b2": dlogits.sum(0),
            "W1": torch.einsum("nh,nd->hd", dh, cache["x"]), "b1": dh.sum(0)}


def cross_entropy_grad(logits, y):
    n, c = logits.shape
    eye = torch.eye(c, dtype=logits.dtype, device=logits.device)
    return (torch.softmax(logits, dim=-1) - eye[y]) / n
