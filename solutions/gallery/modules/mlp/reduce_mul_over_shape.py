"""Multiplies each parameter's shape with functools.reduce(operator.mul, p.shape) and no
initial value: a 0-d parameter (a learnable scale or temperature, shape ()) has an empty
shape, and reduce over an empty sequence raises TypeError instead of giving 1.

Fix: p.numel() (or math.prod(p.shape), which returns 1 for ())."""

import functools
import operator

from solutions.modules.mlp import *  # noqa: F401,F403 (the rest is correct)


def count_parameters(module):
    return sum(functools.reduce(operator.mul, p.shape) for p in module.parameters())
