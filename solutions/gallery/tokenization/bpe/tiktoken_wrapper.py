"""Handing the work to tiktoken: building a tiktoken.Encoding from the merges and calling its
encode and decode. It gives the right ids, but the kata is to write the merge loop yourself
(tiktoken is the specs' oracle, so it is off limits)."""

from typing import Collection, Iterable, Literal

import tiktoken

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import BPETokenizer as _Correct


class BPETokenizer(_Correct):
    def encode(self, text: str,
               allowed_special: Literal["all", "none"] | Collection[str] = "none") -> list[int]:
        enc = tiktoken.Encoding("mine", pat_str=self.pattern,
                                mergeable_ranks={b: i for i, b in self.vocab.items()
                                                 if i < 256 + len(self.merges)},
                                special_tokens=self.special_tokens)
        allowed = set(enc.special_tokens_set) if allowed_special == "all" else (
            set() if allowed_special == "none" else set(allowed_special))
        return enc.encode(text, allowed_special=allowed, disallowed_special=())

    def decode(self, ids: Iterable[int]) -> str:
        return super().decode(ids)
