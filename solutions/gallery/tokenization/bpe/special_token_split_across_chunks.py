"""An allowed special token cut across two chunks is missed: encode_iterable holds back the
last pre-tokens (right for ordinary text) but not the start of a special token at the end of
what it has read. With the chunks "hi <|endof" and "text|>", the pre-tokens " <|" and "endof"
are complete as far as the pattern can tell, so they are encoded as plain text before the
rest of "<|endoftext|>" arrives. Hold back any end of the text that begins an allowed special
token ("<", "<|", "<|endof", ...) until the next chunk shows whether it is one."""

import regex

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import BPETokenizer as _Correct
from solutions.tokenization.bpe import _split_on


class BPETokenizer(_Correct):
    def _encode_final_part(self, text: str, allowed: set[str]) -> tuple[list[int], str]:
        *closed, tail = _split_on(text, allowed)
        ids = self.encode("".join(closed), allowed)
        pieces = regex.findall(self.pattern, tail)[:-2]  # wrong: a special token's start emitted
        for piece in pieces:
            ids.extend(self._encode_piece(piece))
        return ids, tail[sum(map(len, pieces)):]
