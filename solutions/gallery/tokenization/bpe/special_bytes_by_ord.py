"""A special token's bytes built character by character, bytes(ord(c) for c in s): fine for
"<|endoftext|>", but a special token with a character above U+00FF ("<|终|>", an emoji) makes
BPETokenizer raise ValueError, and one with "é" gets the Latin-1 byte 0xE9 instead of its UTF-8
b"\xc3\xa9", so decoding it gives U+FFFD.

Fix: vocab[id] = special.encode("utf-8"), like any other text."""

from typing import Iterable

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import BPETokenizer as _Correct


class BPETokenizer(_Correct):
    def __init__(self, merges: Iterable[tuple[int, int]], pattern: str = GPT4_SPLIT_PATTERN,
                 special_tokens: Iterable[str] = ()):
        super().__init__(merges, pattern, special_tokens)
        for s, i in self.special_tokens.items():
            self.vocab[i] = bytes(ord(c) for c in s)  # wrong: not UTF-8
