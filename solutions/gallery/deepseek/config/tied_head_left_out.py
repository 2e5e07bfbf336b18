"""With tied embeddings, the one shared matrix left out of `activated` along with the embedding
table: activated = total - vocab_size * hidden_size - unrouted experts, where total holds that
matrix only once. The tied matrix is also the lm_head, a matrix multiply every token does, so
it stays in activated. Fix: count the lm_head's vocab_size * hidden_size in activated whether
or not it is tied (only total counts the tied matrix once)."""

from solutions.deepseek.config import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.config import count_parameters as _correct


def count_parameters(config: DeepSeekConfig) -> tuple[int, int]:
    total, activated = _correct(config)
    if config.tie_word_embeddings:  # wrong: the tied matrix is the lm_head too
        activated -= config.vocab_size * config.hidden_size
    return total, activated
