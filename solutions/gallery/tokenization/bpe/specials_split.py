"""Special tokens split by the regex: encode runs the split pattern over the whole text and
never looks for special tokens, so "<|endoftext|>" comes out as the pieces "<|", "endoftext",
"|>" (several ids, merged like ordinary text) instead of its one id. Cut the text at the
allowed special tokens first (regex.split on the escaped tokens joined by "|", inside a
capturing group to keep them), emit each one's id, and encode only the pieces between."""

from typing import Collection, Literal

import regex

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import BPETokenizer as _Correct


class BPETokenizer(_Correct):
    def encode(self, text: str,
               allowed_special: Literal["all", "none"] | Collection[str] = "none") -> list[int]:
        ids = []
        for piece in regex.findall(self.pattern, text):  # special tokens included
            ids.extend(self._encode_piece(piece))
        return ids
