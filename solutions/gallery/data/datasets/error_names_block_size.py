"""The too-few-tokens ValueError names the block size instead of the count it needs ("got 4
tokens but block_size is 4"): the reader still has to work out that one window takes
block_size + 1 tokens (T inputs and the target after the last one), which is the number the
contract promises in the message.

Fix: raise ValueError(f"got {len(tokens)} tokens, need at least {block_size + 1}")."""

from solutions.data.datasets import *  # noqa: F401,F403 (the rest is correct)
from solutions.data.datasets import NextTokenDataset as _Correct


class NextTokenDataset(_Correct):
    def __init__(self, tokens, block_size):
        if len(tokens) <= block_size:
            raise ValueError(f"got {len(tokens)} tokens but block_size is {block_size}")
        self.tokens, self.block_size = tokens, block_size
