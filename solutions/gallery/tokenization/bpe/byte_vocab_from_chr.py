"""The 256 byte tokens built from characters: vocab[i] = chr(i).encode("utf-8") is right for
ASCII but gives TWO bytes for i >= 128 (chr(0xC3) is "Ã", b"\xc3\x83"), so every token holding
a byte above 127 decodes to mojibake ("é" comes back as "Ã©") and .vocab disagrees with the
ids encode produces.

Fix: vocab[i] = bytes([i]) for i in range(256): the ids 0..255 are raw bytes, not characters."""

from typing import Iterable

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import BPETokenizer as _Correct


class BPETokenizer(_Correct):
    def __init__(self, merges: Iterable[tuple[int, int]], pattern: str = GPT4_SPLIT_PATTERN,
                 special_tokens: Iterable[str] = ()):
        super().__init__(merges, pattern, special_tokens)
        vocab = {i: chr(i).encode("utf-8") for i in range(256)}  # wrong above 127
        for i, (a, b) in enumerate(self.merges):
            vocab[256 + i] = vocab[a] + vocab[b]
        for s, i in self.special_tokens.items():
            vocab[i] = s.encode("utf-8")
        self.vocab = vocab
