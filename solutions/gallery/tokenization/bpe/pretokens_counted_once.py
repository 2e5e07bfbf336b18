"""Each distinct pre-token counted once: the pre-tokens go into a set (or a dict whose counts
are then ignored), so " the" seen 2,000 times weighs as much as a word seen once, and the
merges follow the number of distinct words holding a pair instead of the pair's frequency.
Keep a Counter of pre-tokens and add each pre-token's count to every pair it holds."""

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
    freqs = [1] * len(word_counts)  # every distinct pre-token weighs 1
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
        top = max(pair_counts.values())
        best = max((p for p, c in pair_counts.items() if c == top),
                   key=lambda p: (vocab[p[0]], vocab[p[1]]))
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
