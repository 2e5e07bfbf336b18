"""tiktoken-style merging with a bytes -> id table built from the whole vocab, special tokens
included: {b: i for i, b in vocab.items()}. Merging two tokens whose bytes join to a special
token's bytes then finds the special token's id, so a special token that is NOT allowed, but
written in the text and spelled by the merges ("END" from EN + D, an emoji from its first
three bytes + the last), comes out as the special id instead of ordinary tokens.

Fix: the table used for merging holds the 256 bytes and the merges only (or merge by the
ranks of id pairs); special tokens become ids only where encode cuts out an ALLOWED one."""

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import BPETokenizer as _Correct


class BPETokenizer(_Correct):
    def __init__(self, merges, pattern=GPT4_SPLIT_PATTERN, special_tokens=()):
        super().__init__(merges, pattern, special_tokens)
        self.byte_ranks = {b: i for i, b in self.vocab.items()}  # wrong: specials included

    def _encode_piece(self, piece: str) -> list[int]:
        parts = [bytes([b]) for b in piece.encode("utf-8")]
        while len(parts) >= 2:
            joined = [parts[i] + parts[i + 1] for i in range(len(parts) - 1)]
            best = min(range(len(joined)), key=lambda i: self.byte_ranks.get(joined[i], float("inf")))
            if joined[best] not in self.byte_ranks:
                break
            parts[best:best + 2] = [joined[best]]
        return [self.byte_ranks[p] for p in parts]
