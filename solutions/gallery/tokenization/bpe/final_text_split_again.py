"""The complete part split again on its own: encode_iterable finds where the last two
pre-tokens start, then calls encode(pending[:cut]), which runs the pattern once more over
text that now ends at the cut. The pattern decides some pre-tokens by the text after them:
in "x   12r" the spaces split as "  " + " " (a run of spaces before a digit leaves its last
space alone), but "x   " split on its own ends in the run "   " (\\s++$). Encode the
pre-tokens exactly as they were found in the pending text, and keep the rest."""

from typing import Collection, Iterable, Iterator, Literal

import regex

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import BPETokenizer as _Correct
from solutions.tokenization.bpe import _split_on


class BPETokenizer(_Correct):
    def encode_iterable(self, iterable: Iterable[str],
                        allowed_special: Literal["all", "none"] | Collection[str] = "none"
                        ) -> Iterator[int]:
        allowed = self._allowed(allowed_special)
        pending = ""
        for chunk in iterable:
            pending += chunk
            tail = _split_on(pending, allowed)[-1]
            held = max((k for s in allowed for k in range(1, min(len(s), len(tail) + 1))
                        if tail.endswith(s[:k])), default=0)
            starts = [m.start() for m in regex.finditer(self.pattern, tail[:len(tail) - held])]
            cut = len(pending) - len(tail) + (starts[-2] if len(starts) >= 2 else 0)
            yield from self.encode(pending[:cut], allowed)  # wrong: splits the prefix again
            pending = pending[cut:]
        yield from self.encode(pending, allowed)
