"""Special-token ids counted from 256, as if there were no merges: they collide with the ids
of the first merges, so decoding a special token gives a merged pair's bytes and encoding
emits an id that means something else. Special tokens come after the merges:
256 + len(merges) + k."""

from typing import Iterable

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import BPETokenizer as _Correct


class BPETokenizer(_Correct):
    def __init__(self, merges: Iterable[tuple[int, int]], pattern: str = GPT4_SPLIT_PATTERN,
                 special_tokens: Iterable[str] = ()):
        super().__init__(merges, pattern)
        self.special_tokens = {s: 256 + k for k, s in enumerate(special_tokens)}  # collides
        for s, i in self.special_tokens.items():
            self.vocab[i] = s.encode("utf-8")
