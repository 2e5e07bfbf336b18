"""Special tokens joined into a regex without escaping: "<|endoftext|>" in a pattern is the
alternation "<" | "endoftext" | ">", so training also cuts the text at every "<" and ">" and at
the word "endoftext": pairs such as (b"<", b"b") in "a<b" are never counted, and the merges
differ from training on the real pre-tokens.

Fix: regex.escape each special token before joining them with "|" (or cut with str.split /
str.find, which take literal strings)."""

from collections import Counter, defaultdict
from typing import Iterable

import regex

from solutions.tokenization.bpe import *  # noqa: F401,F403 (the rest is correct)
from solutions.tokenization.bpe import GPT4_SPLIT_PATTERN, _merge, _split_on


def train_bpe(text: str, vocab_size: int, special_tokens: Iterable[str] = (),
              pattern: str = GPT4_SPLIT_PATTERN) -> list[tuple[int, int]]:
    """Learn byte-level BPE merges from text; merge i creates token id 256 + i."""
    specials = list(special_tokens)
    n_merges = vocab_size - 256 - len(specials)
    if n_merges < 0:
        raise ValueError(f"vocab_size {vocab_size} is smaller than the 256 bytes plus "
                         f"{len(specials)} special tokens")

    # Pre-tokens, each distinct one once with its count. Special tokens are cut out first, so
    # no pair spans one and their text is never counted.
    chunks = regex.split("|".join(specials), text) if specials else [text]  # wrong: not escaped
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
