"""count_parameters counts the matrices but not the RMSNorm weights (two per layer and the final
one): 61 * 4096 = 249,856 parameters short for DeepSeekMath-7B, a rounding error in "7B" but not
the model's count.

Fix: + 2 * hidden_size per layer + hidden_size for the final norm.
"""

from solutions.deepseek import math as _sol
from solutions.deepseek.math import *  # noqa: F401,F403 (the rest is correct)


def count_parameters(config):
    norms = (2 * config.num_hidden_layers + 1) * config.hidden_size
    return _sol.count_parameters(config) - norms  # wrong: the norms forgotten
