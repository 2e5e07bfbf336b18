"""Computing in float32 and casting back: a.float() * b.float() ... .to(a.dtype) keeps the
dtype and is harmless for float16 inputs, but a float64 input then carries only float32's
~7 digits: the result differs from torch.matmul by ~1e-7 relative, where float64 promises
~1e-16. The contract says float64 inputs are computed in float64.

Fix: work in the inputs' dtype (or in float64 when they are half precision), never down in
float32 for float64 inputs."""

import torch

from solutions.broadcasting.products import *  # noqa: F401,F403 (the rest is correct)
from solutions.broadcasting.products import matmul as _correct_matmul


def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return _correct_matmul(a.float(), b.float()).to(a.dtype)  # float64 loses its digits
