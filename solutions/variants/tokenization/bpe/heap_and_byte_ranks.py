"""Heap style: training pops the best pair from a lazy max-heap (stale entries skipped by
re-checking the live count), pre-token occurrences indexed per pair; encoding merges bytes
tiktoken-style (the adjacent pair whose joined bytes have the lowest rank), specials cut with
str.find; streaming keeps a pending string and cuts it before its last two pre-tokens (or
before an unfinished special token), encoding the pieces before the cut as found."""

from __future__ import annotations

import heapq
import os
from collections import Counter, defaultdict
from pathlib import Path

import regex

from solutions.tokenization.bpe import GPT2_SPLIT_PATTERN, GPT4_SPLIT_PATTERN  # noqa: F401


class _Key:
    """Heap entry: the greatest (count, bytes of a, bytes of b) comes out first."""
    __slots__ = ("count", "left", "right", "pair")

    def __init__(self, count, left, right, pair):
        self.count, self.left, self.right, self.pair = count, left, right, pair

    def __lt__(self, other):
        return (self.count, self.left, self.right) > (other.count, other.left, other.right)


def _cut(text, specials):
    """Pieces of text between occurrences of the specials, and the specials found, in order."""
    pieces, found, start = [], [], 0
    while specials:
        hits = [(text.find(s, start), -len(s), s) for s in specials]
        hits = [h for h in hits if h[0] >= 0]
        if not hits:
            break
        at, _, s = min(hits)
        pieces.append(text[start:at])
        found.append(s)
        start = at + len(s)
    pieces.append(text[start:])
    return pieces, found


def train_bpe(text, vocab_size, special_tokens=(), pattern=GPT4_SPLIT_PATTERN):
    specials = list(special_tokens)
    budget = vocab_size - 256 - len(specials)
    if budget < 0:
        raise ValueError(f"vocab_size {vocab_size} < 256 + {len(specials)} special tokens")
    if not isinstance(text, str):  # an os.PathLike: the file's bytes, as UTF-8
        text = Path(text).read_bytes().decode("utf-8")
    freq = Counter()
    for piece in _cut(text, specials)[0]:
        freq.update(regex.findall(pattern, piece))
    words = [list(w.encode("utf-8")) for w in freq]
    weight = list(freq.values())
    count, holders = Counter(), defaultdict(set)
    for w, ids in enumerate(words):
        for p in zip(ids, ids[1:]):
            count[p] += weight[w]
            holders[p].add(w)
    vocab = {i: bytes([i]) for i in range(256)}
    heap = [_Key(c, vocab[a], vocab[b], (a, b)) for (a, b), c in count.items()]
    heapq.heapify(heap)
    merges = []
    while len(merges) < budget and heap:
        top = heapq.heappop(heap)
        if count.get(top.pair, 0) != top.count or top.count <= 0:
            continue  # stale entry
        a, b = pair = top.pair
        new = 256 + len(merges)
        merges.append(pair)
        vocab[new] = vocab[a] + vocab[b]
        touched = set()
        for w in holders.pop(pair, ()):
            ids, f = words[w], weight[w]
            for p in zip(ids, ids[1:]):
                count[p] -= f
                touched.add(p)
            out, i = [], 0
            while i < len(ids):
                if i + 1 < len(ids) and ids[i] == a and ids[i + 1] == b:
                    out.append(new)
                    i += 2
                else:
                    out.append(ids[i])
                    i += 1
            words[w] = out
            for p in zip(out, out[1:]):
                count[p] += f
                holders[p].add(w)
                touched.add(p)
        count.pop(pair, None)
        for p in touched:
            if count.get(p, 0) > 0:
                heapq.heappush(heap, _Key(count[p], vocab[p[0]], vocab[p[1]], p))
    return merges


class BPETokenizer:
    def __init__(self, merges, pattern=GPT4_SPLIT_PATTERN, special_tokens=()):
        self.vocab = {i: bytes([i]) for i in range(256)}
        for i, (a, b) in enumerate(merges):
            self.vocab[256 + i] = self.vocab[a] + self.vocab[b]
        self._rank = {tok: i for i, tok in self.vocab.items()}  # bytes and merges only
        self._special = {}
        for s in special_tokens:
            self._special[s] = len(self.vocab)
            self.vocab[len(self.vocab)] = s.encode("utf-8")
        self._pattern = regex.compile(pattern)

    def _piece(self, piece):
        parts = [bytes([c]) for c in piece.encode("utf-8")]
        while len(parts) > 1:
            ranks = [self._rank.get(x + y) for x, y in zip(parts, parts[1:])]
            known = [(r, i) for i, r in enumerate(ranks) if r is not None]
            if not known:
                break
            _, i = min(known)
            parts[i:i + 2] = [parts[i] + parts[i + 1]]
        return [self._rank[x] for x in parts]

    def _allowed(self, allowed_special):
        if allowed_special == "all":
            return list(self._special)
        if allowed_special == "none":
            return []
        return [s for s in allowed_special if s in self._special]

    def encode(self, text, allowed_special="none"):
        allowed = self._allowed(allowed_special)
        pieces, found = _cut(text, allowed)
        ids = []
        for k, piece in enumerate(pieces):
            for p in self._pattern.findall(piece):
                ids.extend(self._piece(p))
            if k < len(found):
                ids.append(self._special[found[k]])
        return ids

    def encode_iterable(self, iterable, allowed_special="none"):
        allowed = self._allowed(allowed_special)
        pending = ""
        for chunk in iterable:
            pending += chunk
            pieces, found = _cut(pending, allowed)
            for piece, special in zip(pieces, found):  # followed by a special token: final
                for p in self._pattern.findall(piece):
                    yield from self._piece(p)
                yield self._special[special]
            tail = pieces[-1]
            end = len(tail)  # hold back an end of the text that begins a special token
            for s in allowed:
                for k in range(min(len(s) - 1, len(tail)), 0, -1):
                    if tail.endswith(s[:k]):
                        end = min(end, len(tail) - k)
                        break
            words = self._pattern.findall(tail[:end])
            done = words[:-2]  # the last two may still change ("we'r" -> "we're")
            for p in done:
                yield from self._piece(p)
            pending = tail[sum(len(p) for p in done):]
        yield from self.encode(pending, allowed)

    def decode(self, ids):
        out = bytearray()
        for i in ids:
            out += self.vocab[i]
        return out.decode("utf-8", errors="replace")
