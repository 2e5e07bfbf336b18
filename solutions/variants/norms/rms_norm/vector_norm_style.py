"""Correct variant: the RMS from torch.linalg.vector_norm (‖x‖/√d), divided by sqrt(ms + eps); weight stored under the pinned name via register_parameter."""

import math

import torch
from torch import nn


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.dim, self.eps = dim, eps
        self.register_parameter("weight", nn.Parameter(torch.ones(dim)))

    def forward(self, x):
        ms = torch.linalg.vector_norm(x, dim=-1, keepdim=True).square() / self.dim
        return self.weight * (x / torch.sqrt(ms + self.eps))


def pre_norm(x, sublayer, norm):
    normed = norm(x)
    update = sublayer(normed)
    return torch.add(x, update)


def post_norm(x, sublayer, norm):
    residual = torch.add(x, sublayer(x))
    return norm(residual)
