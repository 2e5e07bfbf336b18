"""Special tokens deduplicated through a set: BPETokenizer numbers set(special_tokens), whose
order follows the strings' hashes, not the order given. With two special tokens the ids come
out right about half of the time (Python randomises str hashes per process), so the bug
comes and goes between runs; with more, id 256 + len(merges) + k is rarely the k-th token
given, and a model trained with one numbering is fed another.

Fix: number the special tokens in the order given: enumerate(list(special_tokens)) (special
tokens do not repeat; to drop repeats while keeping the order, use dict.fromkeys)."""

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import BPETokenizer as _Correct


class BPETokenizer(_Correct):
    def __init__(self, merges, pattern=GPT4_SPLIT_PATTERN, special_tokens=()):
        super().__init__(merges, pattern, set(special_tokens))  # wrong: a set has no order
