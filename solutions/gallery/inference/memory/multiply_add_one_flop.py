"""Counts a multiply-add as one FLOP: m * n * k for an (m, k) @ (k, n) product. Every output
element is a sum of k products, i.e. k multiplies AND k adds (fused as k multiply-adds), and
FLOP counts, FlopCounterMode and vendors' peak FLOP/s all count both. Half the FLOPs halves
every arithmetic intensity and moves the ridge-point verdicts.

Fix: 2 * m * n * k."""

from solutions.inference.memory import *  # noqa: F401,F403 (the rest is correct)


def matmul_flops(m: int, n: int, k: int) -> int:
    return m * n * k
