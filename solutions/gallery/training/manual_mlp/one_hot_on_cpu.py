"""The one-hot built with torch.zeros(n, c, dtype=logits.dtype) and no device=: right values
and dtype on the CPU, but on a GPU the subtraction mixes a CUDA softmax with a CPU one-hot
and fails. Use F.one_hot(y, c).to(logits.dtype), torch.zeros_like(logits), or device=."""

import torch

from solutions.training.manual_mlp import *  # noqa: F401,F403 (the rest is correct)


def cross_entropy_grad(logits, y):
    n, c = logits.shape
    one_hot = torch.zeros(n, c, dtype=logits.dtype)  # wrong: always on the CPU
    one_hot[torch.arange(n), y] = 1.0
    return (torch.softmax(logits, dim=-1) - one_hot) / n
