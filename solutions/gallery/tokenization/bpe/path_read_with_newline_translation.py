"""A file read with newline translation: train_bpe(path) reads the file with
Path.read_text(encoding="utf-8") (or open(path, encoding="utf-8")), whose universal-newline
mode turns every "\\r\\n" into "\\n". The merges then differ from those of the file's text
(pairs with b"\\r" are never counted, b"\\n\\n" is counted more). Read the bytes and decode
them, Path(path).read_bytes().decode("utf-8"), or open the file with newline=""."""

import os
from pathlib import Path
from typing import Iterable

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import GPT4_SPLIT_PATTERN
from solutions.tokenization.bpe import train_bpe as _train_on_text


def train_bpe(text: str | os.PathLike, vocab_size: int, special_tokens: Iterable[str] = (),
              pattern: str = GPT4_SPLIT_PATTERN) -> list[tuple[int, int]]:
    specials = list(special_tokens)
    if vocab_size < 256 + len(specials):
        raise ValueError(f"vocab_size {vocab_size} is smaller than the 256 bytes plus "
                         f"{len(specials)} special tokens")
    if isinstance(text, os.PathLike):
        text = Path(text).read_text(encoding="utf-8")  # wrong: "\r\n" becomes "\n"
    return _train_on_text(text, vocab_size, specials, pattern)
