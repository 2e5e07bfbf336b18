"""Tied head: lm_head.weight = model.embed_tokens.weight, GPT-2's habit. DeepSeek keeps two
matrices (tie_word_embeddings=False in every published config): loading a checkpoint then
copies the head's weights over the embedding (or the reverse), and one of the two is wrong.
Give lm_head its own nn.Linear(hidden_size, vocab_size, bias=False)."""

from solutions.deepseek.model import DeepSeekForCausalLM as _Correct
from solutions.deepseek.model import *  # noqa: F401,F403 (the rest is correct)


class DeepSeekForCausalLM(_Correct):
    def __init__(self, config):
        super().__init__(config)
        self.lm_head.weight = self.model.embed_tokens.weight
