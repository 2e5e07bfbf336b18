"""train_bpe returns [] at once for an empty text, before checking vocab_size: train_bpe("", 100)
gives [] instead of the ValueError the contract promises, so a vocabulary too small for its
special tokens goes unnoticed whenever a corpus (or one shard of it) happens to be empty.

Fix: check vocab_size against 256 + len(special_tokens) first, whatever the text; an empty
text then simply yields no merges."""

from collections import Counter, defaultdict
from typing import Iterable

import regex

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import GPT4_SPLIT_PATTERN, _merge, _split_on


def train_bpe(text: str, vocab_size: int, special_tokens: Iterable[str] = (),
              pattern: str = GPT4_SPLIT_PATTERN) -> list[tuple[int, int]]:
    """Learn byte-level BPE merges from text; merge i creates token id 256 + i."""
    specials = list(special_tokens)
    if not text:
        return []  # wrong: skips the vocab_size check
    n_merges = vocab_size - 256 - len(specials)
    if n_merges < 0:
        raise ValueError(f"vocab_size {vocab_size} is smaller than the 256 bytes plus "
                         f"{len(specials)} special tokens")

    # Pre-tokens, each distinct one once with its count. Special tokens are cut out first, so
    # no pair spans one and their text is never counted.
    chunks = _split_on(text, specials)[::2]
    word_counts = Counter(piece for chunk in chunks for piece in regex.findall(pattern, chunk))
    words = [list(word.encode("utf-8")) for word in word_counts]
    freqs = list(word_counts.values())

    # How often each adjacent pair occurs, and in which words (a superset: may go stale).
    pair_counts: Counter[tuple[int, int]] = Counter()
    where: defaultdict[tuple[int, int], set[int]] = defaultdict(set)
    for w, (ids, freq) in enumerate(zip(words, freqs)):
        for pair in zip(ids, ids[1:]):
            pair_counts[pair] += freq
            where[pair].add(w)

    vocab = {i: bytes([i]) for i in range(256)}
    merges: list[tuple[int, int]] = []
    for new_id in range(256, 256 + n_merges):
        if not pair_counts:
            break  # every pre-token is a single token: nothing left to merge
        top = max(pair_counts.values())
        best = max((p for p, c in pair_counts.items() if c == top),
                   key=lambda p: (vocab[p[0]], vocab[p[1]]))
        merges.append(best)
        vocab[new_id] = vocab[best[0]] + vocab[best[1]]
        # Only the words holding `best` change: take their pairs out, merge, put them back.
        for w in where.pop(best):
            ids, freq = words[w], freqs[w]
            for pair in zip(ids, ids[1:]):
                pair_counts[pair] -= freq
            ids = words[w] = _merge(ids, best, new_id)
            for pair in zip(ids, ids[1:]):
                pair_counts[pair] += freq
                where[pair].add(w)
        pair_counts = +pair_counts  # drop the pairs whose count fell to zero
    return merges
