"""count_parameters counts the vocabulary matrix once, as if lm_head were tied to embed_tokens
(GPT-2's habit). DeepSeekMath keeps two matrices (tie_word_embeddings false): the count falls
short by vocab_size * hidden_size, 419,430,400 for DeepSeekMath-7B (6.49B instead of 6.91B).

Fix: 2 * vocab_size * hidden_size for embed_tokens and lm_head.
"""

from solutions.deepseek import math as _sol
from solutions.deepseek.math import *  # noqa: F401,F403 (the rest is correct)


def count_parameters(config):
    return _sol.count_parameters(config) - config.vocab_size * config.hidden_size  # wrong: head tied
