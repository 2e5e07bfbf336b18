"""allowed_special recognised only as a set or a list: `isinstance(allowed_special, (set, list))`
treats any other collection (a tuple, a frozenset, dict keys) as "none", so
encode(text, allowed_special=(EOT,)) silently encodes the special token as ordinary text.

Fix: "all" and "none" are the two strings; anything else is a collection of special-token
strings: allowed = set(allowed_special)."""

from typing import Collection, Literal

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import BPETokenizer as _Correct


class BPETokenizer(_Correct):
    def encode(self, text: str,
               allowed_special: Literal["all", "none"] | Collection[str] = "none") -> list[int]:
        if allowed_special == "all":
            return super().encode(text, "all")
        if isinstance(allowed_special, (set, list)):
            return super().encode(text, set(allowed_special))
        return super().encode(text, "none")  # wrong for tuples, frozensets, ...
