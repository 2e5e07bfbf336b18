"""Mul keeps its inputs on the class (Mul.saved = (a, b)) instead of on ctx: with one Mul in
the graph it works, but every forward overwrites the same attribute, so in
Mul.apply(Mul.apply(a, b), c) the inner node's backward reads the outer node's tensors and
returns gradients of the wrong values (or shapes).

Fix: ctx is the node: ctx.save_for_backward(a, b) in forward, a, b = ctx.saved_tensors in
backward (or ctx.a = a for non-tensors)."""

import torch

from solutions.autograd.rules import *  # noqa: F401,F403 (the rest is correct)
from solutions.autograd.rules import unbroadcast


class Mul(torch.autograd.Function):
    saved = None

    @staticmethod
    def forward(ctx, a, b):
        Mul.saved = (a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad_out):
        a, b = Mul.saved
        return unbroadcast(grad_out * b, a.shape), unbroadcast(grad_out * a, b.shape)
