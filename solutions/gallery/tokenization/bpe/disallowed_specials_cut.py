"""The text cut at EVERY special token, allowed or not, with the disallowed ones then encoded
as ordinary text on their own: a disallowed special token is supposed to be plain text, split
by the pattern together with its neighbours. Cutting there first separates " <|" into " " and
"<|", so the ids differ from tiktoken's (and from the same text without special tokens
registered).

Fix: cut the text only at the allowed special tokens; everything else goes through the
pattern as it stands."""

import regex

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import BPETokenizer as _Correct, _split_on


class BPETokenizer(_Correct):
    def encode(self, text, allowed_special="none"):
        if allowed_special == "all":
            allowed = set(self.special_tokens)
        elif allowed_special == "none":
            allowed = set()
        else:
            allowed = set(allowed_special)
        ids = []
        for i, chunk in enumerate(_split_on(text, self.special_tokens)):  # wrong: every special
            if i % 2 and chunk in allowed:
                ids.append(self.special_tokens[chunk])
                continue
            for piece in regex.findall(self.pattern, chunk):
                ids.extend(self._encode_piece(piece))
        return ids
