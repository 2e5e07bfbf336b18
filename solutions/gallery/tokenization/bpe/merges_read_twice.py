"""The merges iterated twice in __init__: once for the ranks, once for the vocabulary. With a
list that works; with a generator (or any one-shot iterable, which the contract allows) the
second pass sees nothing, so vocab holds only the 256 bytes and the special tokens get the
wrong ids.

Fix: merges = [tuple(m) for m in merges] once, then build everything from that list."""

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import BPETokenizer as _Correct, GPT4_SPLIT_PATTERN


class BPETokenizer(_Correct):
    def __init__(self, merges, pattern=GPT4_SPLIT_PATTERN, special_tokens=()):
        self.pattern = pattern
        self.ranks = {tuple(pair): 256 + i for i, pair in enumerate(merges)}
        self.merges = [tuple(m) for m in merges]  # wrong: a second pass over merges
        self.vocab = {i: bytes([i]) for i in range(256)}
        for i, (a, b) in enumerate(self.merges):
            self.vocab[256 + i] = self.vocab[a] + self.vocab[b]
        first = 256 + len(self.merges)
        self.special_tokens = {s: first + i for i, s in enumerate(special_tokens)}
        for s, i in self.special_tokens.items():
            self.vocab[i] = s.encode("utf-8")
