"""count_parameters summed with a float factor and cut back with int(): int(2.0 * vocab_size *
H + ...). An int comes back, exact for DeepSeekMath-7B, but float64 holds every integer only up
to 2**53: a config with a 2**42-token vocabulary is counted wrong in its last digits.

Fix: Python ints all the way (2 * vocab_size * H; no float factor, no / then int()).
"""

from solutions.deepseek.math import *  # noqa: F401,F403 (the rest is correct)


def count_parameters(config):
    d, n, n_kv = config.hidden_size, config.num_attention_heads, config.num_key_value_heads
    head_dim = d // n
    attention = d * n * head_dim + 2 * d * n_kv * head_dim + n * head_dim * d
    mlp = 3 * d * config.intermediate_size
    layer = attention + mlp + 2 * d
    return int(2.0 * config.vocab_size * d + config.num_hidden_layers * layer + d)  # wrong: through a float
