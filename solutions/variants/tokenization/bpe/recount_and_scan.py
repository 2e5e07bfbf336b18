"""Recount style: pair counts rebuilt from the distinct pre-tokens at every merge, specials cut by a str.find scan, encode by repeated lowest-rank search over tuples; streaming through a small buffer object that releases the text before its last two pre-tokens."""

from __future__ import annotations

import os
from collections import Counter

import regex

GPT2_SPLIT_PATTERN = (
    r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s"""
)
GPT4_SPLIT_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)


def _cut(text, specials):
    """[(is_special, piece), ...] scanning left to right for the earliest special token."""
    out, pos = [], 0
    while specials:
        hits = [(text.find(s, pos), -len(s), s) for s in specials]
        hits = [h for h in hits if h[0] >= 0]
        if not hits:
            break
        at, _, s = min(hits)
        out.append((False, text[pos:at]))
        out.append((True, s))
        pos = at + len(s)
    out.append((False, text[pos:]))
    return out


def _replace(word, pair, new):
    out, i = [], 0
    while i < len(word):
        if i + 1 < len(word) and (word[i], word[i + 1]) == pair:
            out.append(new)
            i += 2
        else:
            out.append(word[i])
            i += 1
    return tuple(out)


def train_bpe(text, vocab_size, special_tokens=(), pattern=GPT4_SPLIT_PATTERN):
    specials = list(special_tokens)
    budget = vocab_size - 256 - len(specials)
    if budget < 0:
        raise ValueError(f"vocab_size={vocab_size} < 256 + {len(specials)} special tokens")
    if isinstance(text, os.PathLike):
        with open(os.fspath(text), "rb") as f:
            text = f.read().decode("utf-8")
    words = Counter()
    for is_special, piece in _cut(text, specials):
        if not is_special:
            words.update(tuple(p.encode()) for p in regex.findall(pattern, piece))
    vocab = [bytes([i]) for i in range(256)]
    merges = []
    while len(merges) < budget:
        counts = Counter()
        for w, n in words.items():
            for pair in zip(w, w[1:]):
                counts[pair] += n
        if not counts:
            break
        best = max(counts.items(), key=lambda kv: (kv[1], vocab[kv[0][0]], vocab[kv[0][1]]))[0]
        new = len(vocab)
        merges.append(best)
        vocab.append(vocab[best[0]] + vocab[best[1]])
        words = Counter({_replace(w, best, new) if best[0] in w else w: n for w, n in words.items()})
    return merges


class BPETokenizer:
    def __init__(self, merges, pattern=GPT4_SPLIT_PATTERN, special_tokens=()):
        merge_list = [(int(a), int(b)) for a, b in merges]
        self.pattern = pattern
        self.rank = {p: r for r, p in enumerate(merge_list)}
        self.vocab = {i: bytes([i]) for i in range(256)}
        for r, (a, b) in enumerate(merge_list):
            self.vocab[256 + r] = self.vocab[a] + self.vocab[b]
        self.special_ids = {}
        for s in special_tokens:
            self.special_ids[s] = len(self.vocab)
            self.vocab[len(self.vocab)] = s.encode("utf-8")

    def _piece(self, piece):
        word = tuple(piece.encode("utf-8"))
        while len(word) > 1:
            ranked = [(self.rank[p], p) for p in zip(word, word[1:]) if p in self.rank]
            if not ranked:
                break
            r, pair = min(ranked)
            word = _replace(word, pair, 256 + r)
        return list(word)

    def _allowed(self, allowed_special):
        if isinstance(allowed_special, str):
            return list(self.special_ids) if allowed_special == "all" else []
        return [s for s in allowed_special if s in self.special_ids]  # others: plain text

    def _encode_parts(self, parts):
        out = []
        for is_special, piece in parts:
            if is_special:
                out.append(self.special_ids[piece])
            else:
                for p in regex.findall(self.pattern, piece):
                    out += self._piece(p)
        return out

    def encode(self, text, allowed_special="none"):
        return self._encode_parts(_cut(text, self._allowed(allowed_special)))

    def encode_iterable(self, iterable, allowed_special="none"):
        stream = _Stream(self.pattern, self._allowed(allowed_special))
        for chunk in iterable:
            yield from self._encode_parts(stream.feed(chunk))
        yield from self._encode_parts(stream.close())

    def decode(self, ids):
        data = bytearray()
        for i in ids:
            data += self.vocab[i]
        return bytes(data).decode("utf-8", errors="replace")


class _Stream:
    """Text arrives in chunks; feed returns the parts (is_special, text) that no later text
    can change, as _cut gives them; close returns the rest."""

    def __init__(self, pattern, specials):
        self.pattern, self.specials, self.buffer = pattern, specials, ""

    def feed(self, chunk):
        self.buffer += chunk
        parts = _cut(self.buffer, self.specials)
        tail = parts[-1][1]
        # the earliest position from which the tail could still be the start of a special
        hold = next((i for i in range(len(tail))
                     if any(len(s) > len(tail) - i and s.startswith(tail[i:]) for s in self.specials)),
                    len(tail))
        matches = list(regex.finditer(self.pattern, tail[:hold]))[:-2]  # the last two may grow
        # the complete pre-tokens go out as separate parts: each is split alone, and alone
        # it is still one pre-token (the prefix split again as one text could split otherwise)
        self.buffer = tail[matches[-1].end():] if matches else tail
        return parts[:-1] + [(False, m.group()) for m in matches]

    def close(self):
        parts, self.buffer = _cut(self.buffer, self.specials), ""
        return parts
