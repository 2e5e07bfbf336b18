"""Only the first special token cut out in training: text.split(special_tokens[0]) handles
"<|endoftext|>" but every other special token's text is counted as ordinary text, so merges
such as (b"<|", b"fim") are learned from it and pairs span the other special tokens.

Fix: cut at every special token at once, e.g. regex.split("|".join(map(regex.escape,
specials)), text), before the pattern split."""

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import GPT4_SPLIT_PATTERN
from solutions.tokenization.bpe import train_bpe as _correct_train


def train_bpe(text, vocab_size, special_tokens=(), pattern=GPT4_SPLIT_PATTERN):
    specials = list(special_tokens)
    if vocab_size < 256 + len(specials):
        raise ValueError(f"vocab_size {vocab_size} < 256 + {len(specials)}")
    if specials:
        text = "\x00".join(text.split(specials[0]))  # wrong: the other specials stay in
    # (\x00 stands for the cut: the correct trainer cuts again there, so only [0] is honoured)
    n = vocab_size - 256 - len(specials)
    return _correct_train(text, 256 + n + 1, ["\x00"], pattern)
