"""Only the last pre-token held back: encode_iterable treats every pre-token but the last one
read as complete. That is true of most text, but not of a contraction cut after its first
letter: with GPT-2's pattern, "we'r" splits as "we", "'", "r" (the apostrophe is a pre-token
of its own), while "we're" is "we", "'re". Emitting "'" before the "e" arrives gives the ids
of "'" + "re" instead of "'re". The pattern looks up to two characters past a pre-token's
start before deciding it: hold back the last two pre-tokens."""

import regex

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import BPETokenizer as _Correct
from solutions.tokenization.bpe import _split_on


class BPETokenizer(_Correct):
    def _encode_final_part(self, text: str, allowed: set[str]) -> tuple[list[int], str]:
        *closed, tail = _split_on(text, allowed)
        ids = self.encode("".join(closed), allowed)
        held = max((k for s in allowed for k in range(1, min(len(s), len(tail) + 1))
                    if tail.endswith(s[:k])), default=0)
        pieces = regex.findall(self.pattern, tail[:len(tail) - held])[:-1]  # wrong: [:-2]
        for piece in pieces:
            ids.extend(self._encode_piece(piece))
        return ids, tail[sum(map(len, pieces)):]
