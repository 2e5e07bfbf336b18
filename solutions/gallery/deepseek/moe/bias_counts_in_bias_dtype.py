"""update_bias converts the counts to the bias's dtype before comparing them with their mean:
a float16 or bfloat16 bias turns counts of 4097 and 4098 into 4096, so experts above or below
the mean look exactly at it (sign 0) and their bias never moves.

Fix: compare the counts in a dtype that holds them (counts.double()); cast only the step to
bias.dtype.
"""

import torch

from solutions.deepseek.moe import *  # noqa: F401,F403 (the rest is correct)


def update_bias(bias, expert_counts, gamma):
    load = expert_counts.to(bias.dtype)  # wrong: a half-precision 4097 is 4096
    return bias + gamma * torch.sign(load.mean() - load)
