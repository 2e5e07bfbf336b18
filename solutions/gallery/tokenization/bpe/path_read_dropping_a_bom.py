"""A file read as "utf-8-sig": train_bpe(path) decodes the file with encoding="utf-8-sig",
which drops a leading byte-order mark (U+FEFF). The contract reads the file's bytes as UTF-8,
so a BOM is text like any other character and its bytes are counted."""

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
        text = Path(text).read_bytes().decode("utf-8-sig")  # wrong: a leading BOM is dropped
    return _train_on_text(text, vocab_size, specials, pattern)
