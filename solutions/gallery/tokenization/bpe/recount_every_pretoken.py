"""Asymptotically slow training: every merge recounts the pairs of every pre-token occurrence
in the corpus and rewrites them all (minbpe's RegexTokenizer, fine for a demo, not for a
corpus). The merges are right, but each step costs time proportional to the whole text:
100 KB and 128 merges take 75-150x the reference. Count each distinct pre-token once with its
number of occurrences (a Counter of pre-tokens) and work on those; better still, after a
merge update only the pre-tokens that held the merged pair."""

from typing import Iterable

import regex

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import _merge, _split_on


def train_bpe(text: str, vocab_size: int, special_tokens: Iterable[str] = (),
              pattern: str = GPT4_SPLIT_PATTERN) -> list[tuple[int, int]]:
    specials = list(special_tokens)
    if vocab_size < 256 + len(specials):
        raise ValueError("vocab_size too small")
    chunks = [list(piece.encode("utf-8")) for chunk in _split_on(text, specials)[::2]
              for piece in regex.findall(pattern, chunk)]  # every occurrence, no Counter
    vocab = {i: bytes([i]) for i in range(256)}
    merges = []
    for new_id in range(256, vocab_size - len(specials)):
        counts = {}
        for ids in chunks:
            for pair in zip(ids, ids[1:]):
                counts[pair] = counts.get(pair, 0) + 1
        if not counts:
            break
        best = max(counts, key=lambda p: (counts[p], vocab[p[0]], vocab[p[1]]))
        merges.append(best)
        vocab[new_id] = vocab[best[0]] + vocab[best[1]]
        chunks = [_merge(ids, best, new_id) for ids in chunks]
    return merges
