"""Ties compared by token ids instead of bytes: max over (count, pair) compares (a, b) as ids.
For single bytes that is the same order, but a merged token has an id >= 256 whatever its
bytes: (256, 99) = (b"aa", b"c") beats (98, 99) = (b"b", b"c") by ids, while by bytes
b"b" > b"aa". Compare (vocab[a], vocab[b])."""

from collections import Counter, defaultdict
from typing import Iterable

import regex

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import _merge, _split_on


def train_bpe(text: str, vocab_size: int, special_tokens: Iterable[str] = (),
              pattern: str = GPT4_SPLIT_PATTERN) -> list[tuple[int, int]]:
    specials = list(special_tokens)
    n_merges = vocab_size - 256 - len(specials)
    if n_merges < 0:
        raise ValueError("vocab_size too small")
    chunks = _split_on(text, specials)[::2]
    word_counts = Counter(piece for chunk in chunks for piece in regex.findall(pattern, chunk))
    words = [list(word.encode("utf-8")) for word in word_counts]
    freqs = list(word_counts.values())
    pair_counts = Counter()
    where = defaultdict(set)
    for w, (ids, freq) in enumerate(zip(words, freqs)):
        for pair in zip(ids, ids[1:]):
            pair_counts[pair] += freq
            where[pair].add(w)
    vocab = {i: bytes([i]) for i in range(256)}
    merges = []
    for new_id in range(256, 256 + n_merges):
        if not pair_counts:
            break
        best = max(pair_counts, key=lambda p: (pair_counts[p], p))  # ids, not bytes
        merges.append(best)
        vocab[new_id] = vocab[best[0]] + vocab[best[1]]
        for w in where.pop(best):
            ids, freq = words[w], freqs[w]
            for pair in zip(ids, ids[1:]):
                pair_counts[pair] -= freq
            ids = words[w] = _merge(ids, best, new_id)
            for pair in zip(ids, ids[1:]):
                pair_counts[pair] += freq
                where[pair].add(w)
        pair_counts = +pair_counts
    return merges
