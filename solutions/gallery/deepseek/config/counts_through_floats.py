"""Counts passed through floats: the sums are right but come back as int(float(count)) (a
product with a float factor, math.prod over floats, a division then int()). Exact below 2**53,
they lose the last digits above it: a config with a 2**40-row vocabulary is counted wrong.
Fix: keep every step in Python ints (no float factor, no /), they never round."""

from solutions.deepseek.config import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.config import count_parameters as _correct


def count_parameters(config: DeepSeekConfig) -> tuple[int, int]:
    total, activated = _correct(config)
    return int(1.0 * total), int(1.0 * activated)  # wrong: rounded through float64
