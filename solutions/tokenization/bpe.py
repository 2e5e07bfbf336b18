"""Phase 3 — tokenization/bpe: reference solution (byte-level BPE, minbpe/tiktoken style)."""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from pathlib import Path
from typing import Collection, Iterable, Iterator, Literal

import regex

GPT2_SPLIT_PATTERN = (
    r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s"""
)
GPT4_SPLIT_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)


def _split_on(text: str, specials: Iterable[str]) -> list[str]:
    """text cut at every occurrence of a special token: [chunk, special, chunk, special, ...]."""
    specials = sorted(specials, key=len, reverse=True)  # the longer of two overlapping wins
    if not specials:
        return [text]
    return regex.split("(" + "|".join(regex.escape(s) for s in specials) + ")", text)


def _merge(ids: list[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """Replace every occurrence of `pair` in ids, left to right, by new_id."""
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def train_bpe(text: str | os.PathLike, vocab_size: int, special_tokens: Iterable[str] = (),
              pattern: str = GPT4_SPLIT_PATTERN) -> list[tuple[int, int]]:
    """Learn byte-level BPE merges from text (a str, or a file's path); merge i creates token
    id 256 + i."""
    specials = list(special_tokens)
    n_merges = vocab_size - 256 - len(specials)
    if n_merges < 0:
        raise ValueError(f"vocab_size {vocab_size} is smaller than the 256 bytes plus "
                         f"{len(specials)} special tokens")
    if isinstance(text, os.PathLike):  # a file: its bytes as UTF-8, "\r\n" kept as it is
        text = Path(text).read_bytes().decode("utf-8")  # a missing file: FileNotFoundError

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


class BPETokenizer:
    """Encodes text with trained merges, a split pattern and special tokens; decodes ids."""

    def __init__(self, merges: Iterable[tuple[int, int]], pattern: str = GPT4_SPLIT_PATTERN,
                 special_tokens: Iterable[str] = ()):
        self.merges = [tuple(m) for m in merges]
        self.pattern = pattern
        self.ranks = {pair: 256 + i for i, pair in enumerate(self.merges)}  # pair -> new id
        self.vocab = {i: bytes([i]) for i in range(256)}
        for i, (a, b) in enumerate(self.merges):
            self.vocab[256 + i] = self.vocab[a] + self.vocab[b]
        first = 256 + len(self.merges)
        self.special_tokens = {s: first + i for i, s in enumerate(special_tokens)}
        for s, i in self.special_tokens.items():
            self.vocab[i] = s.encode("utf-8")

    def _encode_piece(self, piece: str) -> list[int]:
        ids = list(piece.encode("utf-8"))
        while len(ids) >= 2:
            # the adjacent pair merged earliest in training (lowest rank) goes first
            pair = min(zip(ids, ids[1:]), key=lambda p: self.ranks.get(p, float("inf")))
            if pair not in self.ranks:
                break
            ids = _merge(ids, pair, self.ranks[pair])
        return ids

    def _allowed(self, allowed_special) -> set[str]:
        if allowed_special == "all":
            return set(self.special_tokens)
        if allowed_special == "none":
            return set()
        # strings that are not special tokens of this tokenizer are ignored, as in tiktoken
        return set(allowed_special) & self.special_tokens.keys()

    def encode(self, text: str,
               allowed_special: Literal["all", "none"] | Collection[str] = "none") -> list[int]:
        """text -> token ids; allowed special tokens become their ids, the rest is plain text."""
        allowed = self._allowed(allowed_special)
        ids: list[int] = []
        for i, chunk in enumerate(_split_on(text, allowed)):
            if i % 2:  # an allowed special token
                ids.append(self.special_tokens[chunk])
                continue
            for piece in regex.findall(self.pattern, chunk):
                ids.extend(self._encode_piece(piece))
        return ids

    def encode_iterable(self, iterable: Iterable[str],
                        allowed_special: Literal["all", "none"] | Collection[str] = "none"
                        ) -> Iterator[int]:
        """Chunks of text -> token ids, lazily: the ids of encode("".join(chunks))."""
        allowed = self._allowed(allowed_special)
        pending = ""  # text read but not yet encoded: its last pre-tokens may still change
        for chunk in iterable:
            pending += chunk
            ids, pending = self._encode_final_part(pending, allowed)
            yield from ids
        yield from self.encode(pending, allowed)  # the text has ended: all of it is final

    def _encode_final_part(self, text: str, allowed: set[str]) -> tuple[list[int], str]:
        """(ids of the start of text that no continuation can change, the rest of text)."""
        *closed, tail = _split_on(text, allowed)
        ids = self.encode("".join(closed), allowed)  # it ends with a special token: final
        # An allowed special token may have begun at the end ("<|endof"): hold that end back.
        held = 0
        for special in allowed:
            for k in range(len(special) - 1, held, -1):  # its longest proper prefix first
                if tail.endswith(special[:k]):
                    held = k
                    break
        # The last two pre-tokens may still change: "1" may become "123", "  " a longer run,
        # and GPT-2's pattern splits "we'r" as "we", "'", "r" but "we're" as "we", "'re".
        # Both patterns look at most two characters past a pre-token's start, besides runs
        # that reach the end of the text (and then the pre-token is the last one).
        # The others are encoded as found here, not split again: in "x   12r" the spaces
        # are "  ", " " (a digit follows), but "x   " split on its own ends in "   ".
        pieces = regex.findall(self.pattern, tail[:len(tail) - held])[:-2]
        for piece in pieces:
            ids.extend(self._encode_piece(piece))
        return ids, tail[sum(map(len, pieces)):]

    def decode(self, ids: Iterable[int]) -> str:
        """ids -> text; bytes that are not valid UTF-8 become U+FFFD."""
        return b"".join(self.vocab[i] for i in ids).decode("utf-8", errors="replace")
