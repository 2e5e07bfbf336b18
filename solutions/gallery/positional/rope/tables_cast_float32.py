"""Casts the table rows to float32 (cos.float()) whatever x is: float64 x times float32-rounded
cos/sin still gives a float64 output, but only float32 accuracy (~1e-8 off), so a float64
check or a gradcheck-grade comparison fails. The contract computes in x's dtype.

Fix: c = cos[offset:offset + T].to(x.dtype) (and the same for sin).
"""

import torch

from solutions.positional.rope import *  # noqa: F401,F403 (the rest is correct)
from solutions.positional import rope as _ref


def apply_rope(x, cos, sin, offset=0, interleaved=False):
    return _ref.apply_rope(x, cos.float(), sin.float(), offset=offset, interleaved=interleaved)  # wrong
