"""Decoding token by token: each id's bytes are decoded to text on their own and the strings
joined. A character's UTF-8 bytes may be spread over several tokens (an emoji is 4 bytes and
BPE may never have merged them), and each fragment alone is invalid UTF-8, so it turns into
U+FFFD replacement characters. Join all the bytes first, then decode once."""

from typing import Iterable

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import BPETokenizer as _Correct


class BPETokenizer(_Correct):
    def decode(self, ids: Iterable[int]) -> str:
        return "".join(self.vocab[i].decode("utf-8", errors="replace") for i in ids)
