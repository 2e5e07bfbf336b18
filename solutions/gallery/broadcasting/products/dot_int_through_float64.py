"""dot that upcasts every input to float64 "for accuracy" and casts the sum back: right for
floats, but int64 is an allowed dtype and a float64 holds integers exactly only up to 2**53.
Products of large int64 values are rounded, and the cast back gives the wrong integer.

Fix: multiply and sum integers in their own dtype ((a * b).sum()); upcast only floating
inputs (a.is_floating_point())."""

import torch

from solutions.broadcasting.products import *  # noqa: F401,F403 (the rest is correct)


def dot(a, b):
    if a.dim() != 1 or b.dim() != 1:
        raise ValueError(f"dot needs two 1-D tensors, got shapes {tuple(a.shape)} and "
                         f"{tuple(b.shape)}")
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"dot: lengths differ, {a.shape[0]} vs {b.shape[0]}")
    return (a.double() * b.double()).sum().to(a.dtype)
