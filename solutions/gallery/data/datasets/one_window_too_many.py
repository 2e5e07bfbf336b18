"""One window too many: with N tokens and block size T it is tempting to count N - T + 1
windows (the number of runs of T tokens), but every window also needs the token AFTER its
last input as the last target. The extra window's y is one token short (T - 1 tokens), which
breaks batching or, worse, trains on a truncated target. len = N - T."""

from solutions.data.datasets import *  # noqa: F401,F403 (the rest is correct)
from solutions.data.datasets import NextTokenDataset as _Correct


class NextTokenDataset(_Correct):
    def __init__(self, tokens, block_size):
        if len(tokens) < block_size:
            raise ValueError(f"{len(tokens)} tokens, block_size={block_size}")
        self.tokens = tokens
        self.block_size = block_size

    def __len__(self):
        return len(self.tokens) - self.block_size + 1
