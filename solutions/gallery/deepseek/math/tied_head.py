"""The head tied to the embedding (lm_head.weight = embed_tokens.weight), GPT-2's habit.
DeepSeekMath keeps two matrices (tie_word_embeddings false): loading its checkpoint then writes
the head's values over the embedding's (or the reverse), and the model has 419M parameters
fewer than the 6.91B it should.

Fix: lm_head = nn.Linear(hidden_size, vocab_size, bias=False) with its own weight.
"""

from solutions.deepseek import math as _sol
from solutions.deepseek.math import *  # noqa: F401,F403 (the rest is correct)


class DeepSeekMathForCausalLM(_sol.DeepSeekMathForCausalLM):
    def __init__(self, config):
        super().__init__(config)
        self.lm_head.weight = self.model.embed_tokens.weight  # wrong: tied
