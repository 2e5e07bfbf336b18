"""Returns (a * b).sum() for every dtype: right for the floats and int64, but Tensor.sum()
promotes every integer dtype below int64 (int32, int16, int8, uint8) to int64, so an int32
dot comes back int64 where torch.dot (and the contract: the result has the inputs' dtype)
keeps int32.

Fix: (a * b).sum(dtype=a.dtype)."""

from solutions.broadcasting.products import *  # noqa: F401,F403 (the rest is correct)
from solutions.broadcasting.products import dot as _correct


def dot(a, b):
    _correct(a, b)  # the shape checks
    return (a * b).sum()  # wrong: int32 -> int64
