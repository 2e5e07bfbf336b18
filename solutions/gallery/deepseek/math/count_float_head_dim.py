"""count_parameters with head_dim = hidden_size / num_attention_heads (true division): every
product with head_dim is a float, so DeepSeekMath-7B's count comes back as 6910365696.0. It
compares equal to the right int, but the contract returns a Python int, and a float count breaks
code that uses it as a size (range, torch.empty) and loses exactness past 2**53.

Fix: head_dim = hidden_size // num_attention_heads (floor division keeps ints).
"""

from solutions.deepseek.math import *  # noqa: F401,F403 (the rest is correct)


def count_parameters(config):
    d, n, n_kv = config.hidden_size, config.num_attention_heads, config.num_key_value_heads
    head_dim = d / n  # wrong: a float
    attention = d * n * head_dim + 2 * d * n_kv * head_dim + n * head_dim * d
    mlp = 3 * d * config.intermediate_size
    layer = attention + mlp + 2 * d
    return 2 * config.vocab_size * d + config.num_hidden_layers * layer + d
