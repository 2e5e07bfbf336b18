"""Tests the bias flag by identity, `if bias is True:`: a flag that arrives as 1 (from a
config file, argparse with type=int, a numpy bool) is true but is not the object True, so the
biases are left out of the count.

Fix: test its truth: `if bias:` (or add (d_hidden + d_out) * bool(bias))."""

from solutions.modules.mlp import *  # noqa: F401,F403 (the rest is correct)


def mlp_param_count(d_in: int, d_hidden: int, d_out: int, bias: bool = True) -> int:
    n = d_in * d_hidden + d_hidden * d_out
    if bias is True:
        n += d_hidden + d_out
    return n
