"""The input embedding table counted as activated. A token's embedding is a lookup: it reads
one row of the (vocab_size, hidden_size) table and multiplies nothing, so DeepSeek's
activated figures leave the table out (V3: 36.6B without it, "37B" published; 37.6B with it).
The lm_head, a real matrix multiply, does count. Fix: leave vocab_size * hidden_size for the
embedding out of `activated` (keep it in `total`)."""

from solutions.deepseek.config import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.config import count_parameters as _correct


def count_parameters(config: DeepSeekConfig) -> tuple[int, int]:
    total, activated = _correct(config)
    return total, activated + config.vocab_size * config.hidden_size
