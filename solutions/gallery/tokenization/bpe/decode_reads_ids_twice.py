"""decode walks its ids twice: a validity pass (every id known?) and then the join. The
contract says ids is any iterable; a generator is exhausted by the first pass, so decode
returns "" for it.

Fix: go over ids once (b"".join(self.vocab[i] for i in ids)), or read them into a list first."""

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import BPETokenizer as _Correct


class BPETokenizer(_Correct):
    def decode(self, ids):
        for i in ids:  # wrong: a first pass
            if i not in self.vocab:
                raise KeyError(f"unknown token id {i}")
        return b"".join(self.vocab[i] for i in ids).decode("utf-8", errors="replace")
