"""Encoding across pre-token boundaries: the merges are applied to the bytes of the whole text
(minbpe's BasicTokenizer) instead of to each pre-token separately. Training never merged
across a boundary, but at encode time a merge such as (b"e", b" ") can still fire between two
words, or "123" + "4" can join, giving tokens tiktoken never produces. Split with
regex.findall(pattern, piece) and encode each pre-token on its own."""

from typing import Collection, Literal

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import BPETokenizer as _Correct
from solutions.tokenization.bpe import _split_on


class BPETokenizer(_Correct):
    def encode(self, text: str,
               allowed_special: Literal["all", "none"] | Collection[str] = "none") -> list[int]:
        allowed = (set(self.special_tokens) if allowed_special == "all" else
                   set() if allowed_special == "none" else set(allowed_special))
        ids = []
        for i, chunk in enumerate(_split_on(text, allowed)):
            if i % 2:
                ids.append(self.special_tokens[chunk])
            else:
                ids.extend(self._encode_piece(chunk))  # no regex split
        return ids
