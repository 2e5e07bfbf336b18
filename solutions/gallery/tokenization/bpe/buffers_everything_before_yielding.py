"""Everything read before the first id: encode_iterable joins all the chunks and encodes the
whole text, so the ids are right but nothing comes out until the iterable is exhausted. An
endless stream never yields, and memory grows with the text (the joined text and its ids),
which is what streaming was meant to avoid. Yield the ids of each pre-token as soon as the
text after it shows it is complete, and keep only the rest."""

from typing import Collection, Iterable, Iterator, Literal

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import BPETokenizer as _Correct


class BPETokenizer(_Correct):
    def encode_iterable(self, iterable: Iterable[str],
                        allowed_special: Literal["all", "none"] | Collection[str] = "none"
                        ) -> Iterator[int]:
        text = "".join(iterable)  # wrong: reads everything first
        yield from self.encode(text, allowed_special)
