"""Phase 3 (no fixed day) — tokenization/bpe: byte-pair encoding, trained and applied like tiktoken.

Text becomes token ids in three steps: cut out the special tokens, split the rest into
pre-tokens with a regex (the split patterns below, from GPT-2 and GPT-4), then merge the
UTF-8 bytes of each pre-token with learned merges. Ids 0..255 are the single bytes; merge i
creates id 256 + i; special tokens come after the merges.

Write:
    train_bpe(text, vocab_size, special_tokens=(), pattern=GPT4_SPLIT_PATTERN)
        -> list[tuple[int, int]]: the merges, in the order learned; merge i is the pair of
        token ids (a, b) that becomes the new id 256 + i (a and b are always < 256 + i).
        - text: the training text as a str, or a file to read as an os.PathLike (a
          pathlib.Path, or anything whose __fspath__ returns a str path; bytes paths are not
          asked for). A str is always the text itself, even
          one that names a file. A file is its bytes decoded as UTF-8 with the line ends kept
          as they are ("\\r\\n" stays "\\r\\n": no newline translation) and a leading
          byte-order mark kept as text (U+FEFF, as "utf-8" decodes it; not "utf-8-sig"), so
          the merges are the same as from its text. A missing file raises FileNotFoundError
          (an OSError) whose message names the path; vocab_size is checked before the file is
          read.
        - vocab_size counts everything: the 256 bytes, the merges and the special tokens, so
          you return vocab_size - 256 - len(special_tokens) merges, or fewer when no pair is
          left to merge (every pre-token is already one token). ValueError when vocab_size is
          smaller than 256 + len(special_tokens).
        - Special tokens are cut out of the text first: their text is never counted, and no
          pair spans one. Then each piece between them is split with
          regex.findall(pattern, piece); pairs never span two pre-tokens.
        - Each step merges the most frequent adjacent pair. A pair's count is the number of
          places it occurs, summed over all pre-tokens ("aaa" holds (a, a) twice).
          Ties go to the lexicographically greater pair of bytes: compare
          (bytes of a, bytes of b) as a tuple, so (b"ba", b"a") beats (b"b", b"zz") and
          (b"b", b"c") beats (b"aa", b"c") — the bytes, not the ids, and not the
          concatenation a + b.
        - A merge replaces the pair's occurrences left to right, without overlap:
          a a a -> aa a.
        - Budget: on the specs' 100 KB corpus (vocab_size 384) training must take at most
          25x the reference's time: work on the distinct pre-tokens with their counts, not
          on every occurrence in the text.
    BPETokenizer(merges, pattern=GPT4_SPLIT_PATTERN, special_tokens=())
        merges: as train_bpe returns them; special_tokens: strings, given ids
        256 + len(merges) + 0, 1, 2, ... in order (special tokens do not overlap each other).
        .vocab: dict[int, bytes], every id (bytes, merges and special tokens) -> its bytes
            (a special token's are its UTF-8, whatever characters it holds);
            vocab[256 + i] == vocab[a] + vocab[b] for merge i = (a, b).
        .encode(text, allowed_special="none") -> list[int]
            allowed_special: "all", "none" or a collection of special-token strings (a string
            in it that is not one of this tokenizer's special tokens is ignored, as tiktoken
            does: that text stays plain text). Allowed special tokens found in the text become
            their single id; all other text, including special tokens that are not allowed, is
            encoded as ordinary text (where merges rebuild a special token's bytes, they give
            merge ids, never the special token's id): split with the pattern (each piece
            between ALLOWED special tokens on its own; a special token that is not allowed is
            cut at nowhere, so " <|endoftext|>" keeps " <|" as one pre-token), and in
            each pre-token the merges are applied by rank, the earliest-learned adjacent pair
            first, until none applies. The result equals
            tiktoken.Encoding(pat_str=pattern, mergeable_ranks=..., special_tokens=...).
        .encode_iterable(iterable, allowed_special="none") -> an iterator of ints
            iterable: str chunks of one text, in order: an open text file's lines, or pieces
            cut anywhere (inside a word, a run of spaces, a "\\r\\n" or a special token; empty
            chunks too). The ids are exactly encode("".join(chunks), allowed_special), however
            the text is cut: a pre-token is never split at a chunk boundary, and an allowed
            special token cut across chunks is still found and becomes its one id.
            Lazy: read the chunks one at a time and yield each pre-token's ids once the text
            read after it shows the pre-token is complete (text read up to "we'r" may go on as
            "we're", "12" may become "123", "  " a longer run, "<|endof" an allowed
            "<|endoftext|>"): every id of a line of words (say "The cat sat.\\n") is out before
            the line after the next one is read, and an endless iterable works
            (itertools.islice).
            Budget: keep only the text whose ids may still change. Peak memory (tracemalloc)
            must not grow with the length of the text: the specs read a text's lines 1x and 8x
            over, and the peak may grow by at most the size of the 1x text (no joining the
            chunks, no list of every id); nor may the work per chunk (the 8x run is stopped
            past 30x the time of the 1x run: do not re-encode all the text read so far).
        .decode(ids) -> str: join the ids' bytes and decode them as UTF-8 with
            errors="replace" (an invalid byte sequence becomes U+FFFD, like minbpe), so
            decode(encode(s)) == s for every string s (that UTF-8 can encode: no lone
            surrogates).

Any iterable: merges, special_tokens (of train_bpe and BPETokenizer), decode's ids and
encode_iterable's chunks may be one-shot iterables (a generator): read each once. encode
returns a list of Python ints; encode_iterable an iterator (a generator) of Python ints.

GPT2_SPLIT_PATTERN and GPT4_SPLIT_PATTERN are given (tiktoken's "gpt2" and "cl100k_base"
patterns). Use them with the `regex` module (installed with tiktoken), not `re`: they need
\\p{L}, \\p{N} and possessive quantifiers. GPT-4's splits numbers into chunks of 1-3 digits
and matches contractions case-insensitively ("HOW'S" -> "HOW", "'S").

Off limits: tiktoken and any other tokenizer library (the specs use tiktoken as the oracle).
Inputs must not be modified.
Run: pytest katas/tokenization/bpe.py
"""

from __future__ import annotations

import os
from typing import Collection, Iterable, Iterator, Literal

GPT2_SPLIT_PATTERN = (
    r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s"""
)
GPT4_SPLIT_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)


def train_bpe(text: str | os.PathLike, vocab_size: int, special_tokens: Iterable[str] = (),
              pattern: str = GPT4_SPLIT_PATTERN) -> list[tuple[int, int]]:
    """Learn byte-level BPE merges from text (a str, or a file's path); merge i creates token
    id 256 + i."""
    raise NotImplementedError


class BPETokenizer:
    """Encodes text with trained merges, a split pattern and special tokens; decodes ids."""

    def __init__(self, merges: Iterable[tuple[int, int]], pattern: str = GPT4_SPLIT_PATTERN,
                 special_tokens: Iterable[str] = ()):
        raise NotImplementedError

    def encode(self, text: str,
               allowed_special: Literal["all", "none"] | Collection[str] = "none") -> list[int]:
        """text -> token ids; allowed special tokens become their ids, the rest is plain text."""
        raise NotImplementedError

    def encode_iterable(self, iterable: Iterable[str],
                        allowed_special: Literal["all", "none"] | Collection[str] = "none"
                        ) -> Iterator[int]:
        """Chunks of text -> token ids, lazily: the ids of encode("".join(chunks))."""
        raise NotImplementedError

    def decode(self, ids: Iterable[int]) -> str:
        """ids -> text; bytes that are not valid UTF-8 become U+FFFD."""
        raise NotImplementedError
