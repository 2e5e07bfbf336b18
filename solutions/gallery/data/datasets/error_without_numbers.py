"""The too-few-tokens ValueError says only "sequence too short": the contract promises a
message that says how many tokens it got and how many it needs (block_size + 1), which is
what a learner needs to fix a data pipeline that produced a short file.

Fix: raise ValueError(f"got {len(tokens)} tokens, need at least {block_size + 1}")."""

from solutions.data.datasets import *  # noqa: F401,F403 (the rest is correct)
from solutions.data.datasets import NextTokenDataset as _Correct


class NextTokenDataset(_Correct):
    def __init__(self, tokens, block_size):
        if len(tokens) <= block_size:
            raise ValueError("sequence too short for block_size")
        self.tokens, self.block_size = tokens, block_size
