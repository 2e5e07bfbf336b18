"""special_tokens iterated twice in train_bpe: len(list(special_tokens)) for the merge budget,
then a second loop to cut the text. A generator is empty the second time, so nothing is cut
out and the special tokens' text is counted and merged as if it were ordinary text.

Fix: specials = list(special_tokens) once at the top, and use that list everywhere."""

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import GPT4_SPLIT_PATTERN
from solutions.tokenization.bpe import train_bpe as _correct_train


def train_bpe(text, vocab_size, special_tokens=(), pattern=GPT4_SPLIT_PATTERN):
    n_specials = len(list(special_tokens))  # wrong: consumes a one-shot iterable
    if vocab_size < 256 + n_specials:
        raise ValueError(f"vocab_size {vocab_size} < 256 + {n_specials}")
    specials = list(special_tokens)  # empty for a generator
    merges = _correct_train(text, vocab_size - n_specials + len(specials), specials, pattern)
    return merges
