"""Encodes a line at a time: encode_iterable only looks for complete pre-tokens after a chunk
that holds a "\n", so an open file's lines stream fine, but chunks cut anywhere with no line end
(an endless ' the cat', ' sat', ... stream) never yield and the held text grows without bound.
After every chunk, yield the ids of the pre-tokens that are complete and keep only the rest."""

from typing import Collection, Iterable, Iterator, Literal

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import BPETokenizer as _Correct


class BPETokenizer(_Correct):
    def encode_iterable(self, iterable: Iterable[str],
                        allowed_special: Literal["all", "none"] | Collection[str] = "none"
                        ) -> Iterator[int]:
        allowed = self._allowed(allowed_special)
        pending = ""
        for chunk in iterable:
            pending += chunk
            if "\n" not in chunk:
                continue  # a line at a time
            ids, pending = self._encode_final_part(pending, allowed)
            yield from ids
        yield from self.encode(pending, allowed)
