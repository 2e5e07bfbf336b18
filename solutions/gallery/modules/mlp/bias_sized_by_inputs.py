"""Bias sized by the layer's input instead of its output: a Linear(a, b) adds one bias per
output feature, so it has a*b weights and b biases, not a. The closed form is
d_in*d_hidden + d_hidden*d_out + (d_hidden + d_out) with bias."""

from solutions.modules.mlp import *  # noqa: F401,F403 (the rest is correct)


def mlp_param_count(d_in: int, d_hidden: int, d_out: int, bias: bool = True) -> int:
    weights = d_in * d_hidden + d_hidden * d_out
    return weights + ((d_in + d_hidden) if bias else 0)
