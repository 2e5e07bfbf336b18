"""mlp_param_count computes through floats (the bias term as float(bias), "a truth value as
0.0 or 1.0") and casts back with int(...): the type is right, but above 2**53 a float64
cannot hold every integer, so the count of a large layer pair is off by a few.

Fix: stay in int arithmetic (weights + (biases if bias else 0))."""

from solutions.modules.mlp import *  # noqa: F401,F403 (the rest is correct)


def mlp_param_count(d_in, d_hidden, d_out, bias=True):
    per_unit = float(bool(bias))
    return int(d_in * d_hidden + d_hidden * d_out + per_unit * (d_hidden + d_out))
