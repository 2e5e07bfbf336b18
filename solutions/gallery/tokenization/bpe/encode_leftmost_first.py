"""Merges applied in text order instead of by rank: scanning left to right and merging the
first adjacent pair that is a merge at all. With merges [(b, c), (a, b)], "abc" must become
a + bc, because (b, c) was learned first (lower rank); left to right gives ab + c, a split that
training never made. Repeatedly merge the adjacent pair with the lowest merge index."""

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import BPETokenizer as _Correct
from solutions.tokenization.bpe import _merge


class BPETokenizer(_Correct):
    def _encode_piece(self, piece: str) -> list[int]:
        ids = list(piece.encode("utf-8"))
        while True:
            pair = next((p for p in zip(ids, ids[1:]) if p in self.ranks), None)  # leftmost
            if pair is None:
                return ids
            ids = _merge(ids, pair, self.ranks[pair])
