"""The vocab built from bytearray([i]): bytearray + bytearray concatenates and compares equal
to the same bytes, so encode, decode and every equality check work, but the contract says
dict[int, bytes]. A bytearray is mutable and unhashable: the inverse mapping every user of a
vocab builds ({v: k for k, v in vocab.items()}, tiktoken's mergeable_ranks) raises
"TypeError: unhashable type: 'bytearray'".

Fix: vocab[i] = bytes([i]) (and bytes concatenations for the merges)."""

from typing import Iterable

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import BPETokenizer as _Correct


class BPETokenizer(_Correct):
    def __init__(self, merges: Iterable[tuple[int, int]], pattern: str = GPT4_SPLIT_PATTERN,
                 special_tokens: Iterable[str] = ()):
        super().__init__(merges, pattern, special_tokens)
        vocab = {i: bytearray([i]) for i in range(256)}  # wrong: bytearray, not bytes
        for i, (a, b) in enumerate(self.merges):
            vocab[256 + i] = vocab[a] + vocab[b]
        for s, i in self.special_tokens.items():
            vocab[i] = bytearray(s.encode("utf-8"))
        self.vocab = vocab
