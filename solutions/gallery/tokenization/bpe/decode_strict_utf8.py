"""Strict UTF-8 decoding: bytes.decode("utf-8") raises UnicodeDecodeError when the ids do not
form valid UTF-8 (a model can sample any ids, e.g. half an emoji). minbpe and tiktoken
replace invalid sequences with U+FFFD: .decode("utf-8", errors="replace")."""

from typing import Iterable

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import BPETokenizer as _Correct


class BPETokenizer(_Correct):
    def decode(self, ids: Iterable[int]) -> str:
        return b"".join(self.vocab[i] for i in ids).decode("utf-8")
