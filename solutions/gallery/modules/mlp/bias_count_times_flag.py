"""Counts the biases as `bias * (d_hidden + d_out)`, multiplying by the flag instead of testing
it: right for True/False and 0/1, but a flag of 2 counts every bias twice, and a numpy bool
(np.True_ * 7) gives a numpy int where the contract promises an int.

Fix: test the flag's truth: `(d_hidden + d_out) if bias else 0`."""

from solutions.modules.mlp import *  # noqa: F401,F403 (the rest is correct)


def mlp_param_count(d_in: int, d_hidden: int, d_out: int, bias: bool = True) -> int:
    return d_in * d_hidden + d_hidden * d_out + bias * (d_hidden + d_out)
