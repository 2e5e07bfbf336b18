"""BPETokenizer's parameters in another order, (merges, special_tokens=(), pattern=...): code
calling it positionally in the documented order, BPETokenizer(merges, GPT2_SPLIT_PATTERN,
[EOT]), hands the pattern string over as the special tokens (one per character) and the list
as the pattern.

Fix: keep the documented signature: BPETokenizer(merges, pattern=GPT4_SPLIT_PATTERN,
special_tokens=())."""

from typing import Iterable

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import BPETokenizer as _Correct


class BPETokenizer(_Correct):
    def __init__(self, merges: Iterable[tuple[int, int]], special_tokens: Iterable[str] = (),
                 pattern: str = GPT4_SPLIT_PATTERN):  # wrong order
        super().__init__(merges, pattern=pattern, special_tokens=special_tokens)
