"""Returns FLOPs as floats: 2.0 * m * n * k (and a decode step built from it). The value is
right for small sizes, but the contract promises exact ints: a float cannot hold every integer
above 2**53, and code that uses the count as a size or compares it exactly breaks.

Fix: 2 * m * n * k with int arguments stays an int; never multiply by a float literal."""

from solutions.inference.memory import *  # noqa: F401,F403 (the rest is correct)


def matmul_flops(m, n, k):
    return 2.0 * m * n * k
