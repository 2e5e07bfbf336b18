"""AdamW written as Adam with L2: g = p.grad + weight_decay·p, then the usual Adam update.
The decay then goes through m and v and is divided by √v̂, so weights with large gradients
are barely decayed — exactly what decoupled weight decay (Loshchilov & Hutter) fixes. AdamW
shrinks the parameter directly, p = p·(1 − lr·weight_decay), and leaves the gradient alone."""

from typing import Any, Callable

import torch

from solutions.optim.adam import *  # noqa: F401,F403 (the rest is correct)
from solutions.optim.adam import Adam as _CorrectAdam


class AdamW(_CorrectAdam):
    decoupled = False  # the mistake: the same L2 path as Adam

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
