"""encode_iterable keeps the text it holds back on the tokenizer (self._pending), not in the
generator: two streams read in turn (two files, two requests) mix their text."""

from typing import Collection, Iterable, Iterator, Literal

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import BPETokenizer as _Correct


class BPETokenizer(_Correct):
    def encode_iterable(self, iterable: Iterable[str],
                        allowed_special: Literal["all", "none"] | Collection[str] = "none"
                        ) -> Iterator[int]:
        allowed = self._allowed(allowed_special)
        self._pending = ""  # wrong: one buffer per tokenizer, shared by every stream
        for chunk in iterable:
            self._pending += chunk
            ids, self._pending = self._encode_final_part(self._pending, allowed)
            yield from ids
        yield from self.encode(self._pending, allowed)
