"""Bytes-keyed style: tokens tracked as bytes during training (ties compared directly), incremental counts over distinct pre-tokens, an lru-cached encoder keyed by pre-token and a regex alternation for specials; streaming as a generator of final pieces (held back: pre-tokens that start in the last two characters or end at the end, and an unfinished special token)."""

from __future__ import annotations

import functools
import os
from collections import Counter, defaultdict

import regex

from solutions.tokenization.bpe import GPT2_SPLIT_PATTERN, GPT4_SPLIT_PATTERN  # noqa: F401


def _pieces(text, specials):
    if not specials:
        return [text], []
    alt = "|".join(regex.escape(s) for s in sorted(specials, key=len, reverse=True))
    parts = regex.split(f"({alt})", text)
    return parts[::2], parts[1::2]


def train_bpe(text, vocab_size, special_tokens=(), pattern=GPT4_SPLIT_PATTERN):
    specials = tuple(special_tokens)
    if vocab_size < 256 + len(specials):
        raise ValueError(f"vocab_size {vocab_size} cannot hold 256 bytes and {len(specials)} specials")
    if isinstance(text, os.PathLike):
        with open(text, encoding="utf-8", newline="") as f:  # newline="": "\r\n" kept
            text = f.read()
    freq = Counter()
    for chunk in _pieces(text, specials)[0]:
        freq.update(regex.findall(pattern, chunk))
    # each word: a list of bytes tokens; ids come from the order of merges
    words = [[bytes([c]) for c in w.encode()] for w in freq]
    counts = list(freq.values())
    ids = {bytes([i]): i for i in range(256)}
    pairs = Counter()
    holders = defaultdict(set)
    for k, w in enumerate(words):
        for p in zip(w, w[1:]):
            pairs[p] += counts[k]
            holders[p].add(k)
    merges = []
    for _ in range(vocab_size - 256 - len(specials)):
        pairs = Counter({p: c for p, c in pairs.items() if c > 0})
        if not pairs:
            break
        best = max(pairs, key=lambda p: (pairs[p], p))  # p is (bytes, bytes): the tie rule itself
        joined = best[0] + best[1]
        merges.append((ids[best[0]], ids[best[1]]))
        ids[joined] = 255 + len(merges)
        for k in holders.pop(best):
            w, n = words[k], counts[k]
            for p in zip(w, w[1:]):
                pairs[p] -= n
            out, i = [], 0
            while i < len(w):
                if i + 1 < len(w) and w[i] == best[0] and w[i + 1] == best[1]:
                    out.append(joined)
                    i += 2
                else:
                    out.append(w[i])
                    i += 1
            words[k] = out
            for p in zip(out, out[1:]):
                pairs[p] += n
                holders[p].add(k)
    return merges


class BPETokenizer:
    def __init__(self, merges, pattern=GPT4_SPLIT_PATTERN, special_tokens=()):
        self._merges = list(map(tuple, merges))
        self._pattern = regex.compile(pattern)
        self._rank = {m: 256 + i for i, m in enumerate(self._merges)}
        self.vocab = {i: bytes([i]) for i in range(256)}
        for i, (a, b) in enumerate(self._merges):
            self.vocab[256 + i] = self.vocab[a] + self.vocab[b]
        specials = list(special_tokens)
        self._special = {s: 256 + len(self._merges) + k for k, s in enumerate(specials)}
        self.vocab.update({i: s.encode() for s, i in self._special.items()})
        self._encode_piece = functools.lru_cache(maxsize=4096)(self._encode_uncached)

    def _encode_uncached(self, piece):
        seq = list(piece.encode())
        while True:
            best = None
            for j in range(len(seq) - 1):
                r = self._rank.get((seq[j], seq[j + 1]))
                if r is not None and (best is None or r < best[0]):
                    best = (r, j)
            if best is None:
                return tuple(seq)
            r = best[0]
            a, b = self._merges[r - 256]
            merged, j = [], 0
            while j < len(seq):
                if j + 1 < len(seq) and seq[j] == a and seq[j + 1] == b:
                    merged.append(r)
                    j += 2
                else:
                    merged.append(seq[j])
                    j += 1
            seq = merged

    def encode(self, text, allowed_special="none"):
        allowed = (set(self._special) if allowed_special == "all" else
                   set() if allowed_special == "none" else set(allowed_special) & set(self._special))
        chunks, specials = _pieces(text, allowed)
        out = []
        for n, chunk in enumerate(chunks):
            for piece in self._pattern.findall(chunk):
                out.extend(self._encode_piece(piece))
            if n < len(specials):
                out.append(self._special[specials[n]])
        return out

    def _allowed(self, allowed_special):
        return (set(self._special) if allowed_special == "all" else
                set() if allowed_special == "none" else set(allowed_special) & set(self._special))

    def _final_pieces(self, chunks, allowed):
        """(is_special, text) pieces of the joined chunks, each yielded once nothing after it
        can change it: pre-tokens as the pattern finds them, and allowed special tokens."""
        pending = ""
        for chunk in chunks:
            pending += chunk
            texts, specials = _pieces(pending, allowed)
            for text, special in zip(texts, specials):  # closed by a special token: final
                for piece in self._pattern.findall(text):
                    yield False, piece
                yield True, special
            tail = texts[-1]
            # where an allowed special token may be starting ("<|end"), the text stops for now
            stop = next((i for i in range(max(0, len(tail) - max(map(len, allowed), default=0)), len(tail))
                         if any(s.startswith(tail[i:]) for s in allowed)), len(tail))
            matches = list(self._pattern.finditer(tail, 0, stop))
            keep = len(matches)
            # a pre-token is decided once the text goes on 2 characters past its start and
            # past its end (contractions look 2 ahead: "'r" may be "'re")
            while keep and (matches[keep - 1].start() >= stop - 2 or matches[keep - 1].end() >= stop):
                keep -= 1
            for m in matches[:keep]:
                yield False, m.group()
            pending = tail[matches[keep - 1].end():] if keep else tail
        texts, specials = _pieces(pending, allowed)
        for n, text in enumerate(texts):
            for piece in self._pattern.findall(text):
                yield False, piece
            if n < len(specials):
                yield True, specials[n]

    def encode_iterable(self, iterable, allowed_special="none"):
        for is_special, piece in self._final_pieces(iterable, self._allowed(allowed_special)):
            if is_special:
                yield self._special[piece]
            else:
                yield from self._encode_piece(piece)

    def decode(self, ids):
        return b"".join(map(self.vocab.__getitem__, ids)).decode("utf-8", "replace")
