"""allowed_special taken at its word: every string in it is cut out of the text and looked up
among the special tokens, so a string that is not one of this tokenizer's special tokens
(encode(text, allowed_special={"<|unknown|>", EOT})) raises KeyError as soon as it occurs in
the text, where tiktoken, and the contract, ignore it and encode that text as plain text.

Fix: keep only the allowed strings that are special tokens of this tokenizer:
allowed = set(allowed_special) & self.special_tokens.keys()."""

import regex

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import BPETokenizer as _Correct
from solutions.tokenization.bpe import _split_on


class BPETokenizer(_Correct):
    def encode(self, text, allowed_special="none"):
        if allowed_special in ("all", "none"):
            return super().encode(text, allowed_special)
        ids = []
        for i, chunk in enumerate(_split_on(text, set(allowed_special))):  # wrong: unknown ones too
            if i % 2:
                ids.append(self.special_tokens[chunk])  # KeyError for a string that is no special token
                continue
            for piece in regex.findall(self.pattern, chunk):
                ids.extend(self._encode_piece(piece))
        return ids
