"""matmul_flops as int(2.0 * m * n * k): the type is an int, as promised, but the product went
through a float first, which cannot hold every integer above 2**53, so large odd counts come
back rounded (int() keeps the rounding) and the decode step's FLOPs with them.

Fix: 2 * m * n * k with int arguments stays an int; never multiply by a float literal."""

from solutions.inference.memory import *  # noqa: F401,F403 (the rest is correct)


def matmul_flops(m, n, k):
    return int(2.0 * m * n * k)
