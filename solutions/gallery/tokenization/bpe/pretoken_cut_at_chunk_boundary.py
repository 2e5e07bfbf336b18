"""Each chunk encoded on its own: encode_iterable runs encode(chunk) for every chunk, so a
chunk boundary cuts the pre-token it falls in. "hel" + "lo" gives the ids of "hel" and "lo",
not of "hello"; a run of spaces or a "\\r" + "\\n" cut in two becomes two pre-tokens, and an
allowed special token cut in two is never found. Chunks (a file's lines, or any pieces) may
cut the text anywhere: keep the text whose pre-tokens may still change (the last two
pre-tokens read, and the start of an allowed special token at the end), encode the rest, and
encode what is left after the last chunk."""

from typing import Collection, Iterable, Iterator, Literal

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import BPETokenizer as _Correct


class BPETokenizer(_Correct):
    def encode_iterable(self, iterable: Iterable[str],
                        allowed_special: Literal["all", "none"] | Collection[str] = "none"
                        ) -> Iterator[int]:
        for chunk in iterable:
            yield from self.encode(chunk, allowed_special)  # wrong: pre-tokens cut at the boundary
