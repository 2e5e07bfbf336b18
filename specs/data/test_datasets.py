"""Specs for katas/data/datasets.py (day 7): NextTokenDataset, pad_collate.

Expected windows come from Tensor.unfold (every run of T + 1 consecutive tokens) and
expected padding from torch.nn.utils.rnn.pad_sequence.

Contract -> specs:
- windows x = tokens[i:i+T], y shifted by one, int64 (T,), len N - T, block_size = N - 1:
  test_dataset_length, *_windows_*, *_last_window_*, *_one_window_*, *_items_are_int64 (a tuple),
  test_dataset_property, non-contiguous tokens
- "ids in any integer dtype; items always int64" (int32, uint16, uint8 tokens):
  test_dataset_items_are_int64_for_compact_token_dtypes
- "uint16 ... to save memory": no int64 (or int32) copy of all the tokens, neither in the
  constructor nor per item (convert each window; items measured early and at the last
  window, so a converted prefix or suffix shows), torch storage or Python memory (a list,
  a numpy array): test_dataset_keeps_compact_tokens_compact
- N <= T (N = 0 too): ValueError naming the count it got and the count it needs:
  test_dataset_too_few_*
- index outside 0..len-1 (negative too): IndexError, so iteration stops:
  test_dataset_index_out_of_range, test_dataset_iterates_to_its_end
- seeded shuffling DataLoader gives the same order: *_in_a_seeded_shuffling_dataloader
- pad_collate: padded on the right with pad_id (0, negative, large), lengths int64, mask bool
  True = real (a tuple: test_pad_collate_mask_is_true_on_real_tokens), also when a real token equals pad_id; B = 1, length-1 rows: test_pad_collate_*
- sequences of any integer dtype, padded int64, pad_id outside the sequences' dtype (and
  outside int32: padded built in int32 then widened fails), also for equal lengths (no padding):
  test_pad_collate_compact_token_dtypes
"""

import functools

import pytest
import torch
from hypothesis import given, strategies as st
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader, Dataset

from harness.budgets import peak_bytes, python_peak_bytes
from harness.checks import SpecFailure, assert_close, assert_raises, non_contiguous, unchanged
from katas.data.datasets import NextTokenDataset, pad_collate


def expect(ok, message):
    """Fail with the message alone, without pytest's assertion introspection."""
    __tracebackhide__ = True
    if not ok:
        raise SpecFailure(message)


LEN_HINT = ("N tokens hold N - T windows: window i uses tokens i .. i + T (T inputs, and the "
            "token after them as the last target), so the last window starts at N - T - 1")
SHIFT_HINT = "y is x shifted one ahead: y = tokens[i + 1 : i + T + 1], the next token at each position"
MASK_HINT = "mask is True on real tokens and False on padding: mask[b, j] = j < lengths[b]"


def tokens_of(n, seed=0, vocab=50):
    return torch.randint(0, vocab, (n,), generator=torch.Generator().manual_seed(seed))


def expected_windows(tokens, block_size):
    """(N - T, T) inputs and targets: every run of T + 1 tokens, split into x and y."""
    runs = tokens.unfold(0, block_size + 1, 1)
    return runs[:, :-1], runs[:, 1:]


def all_items(ds, n):
    xs, ys = zip(*(ds[i] for i in range(n)))
    return torch.stack(xs), torch.stack(ys)


def seqs_of(lengths, seed=0, vocab=30):
    gen = torch.Generator().manual_seed(seed)
    return [torch.randint(1, vocab, (n,), generator=gen) for n in lengths]


def expected_collate(batch, pad_id):
    lengths = torch.tensor([len(s) for s in batch])
    mask = torch.arange(int(lengths.max()))[None, :] < lengths[:, None]
    return pad_sequence(batch, batch_first=True, padding_value=pad_id), lengths, mask


# ------------------------------------------------------------------------ NextTokenDataset

# (N, T): block_size = N - 1 gives one window; sizes 1 and primes
LENGTHS = [(10, 3), (5, 4), (2, 1), (13, 1), (17, 7), (31, 5)]


@pytest.mark.parametrize("n,block_size", LENGTHS)
def test_dataset_length(n, block_size):
    ds = NextTokenDataset(tokens_of(n), block_size)
    expect(len(ds) == n - block_size,
           f"len(NextTokenDataset({n} tokens, block_size={block_size})) is {len(ds)}, expected "
           f"{n - block_size}\n  hint: {LEN_HINT}")


def test_dataset_is_a_torch_dataset():
    ds = NextTokenDataset(tokens_of(6), 2)
    expect(isinstance(ds, Dataset), "NextTokenDataset must subclass torch.utils.data.Dataset")


@pytest.mark.parametrize("n,block_size", LENGTHS)
def test_dataset_windows_are_shifted_pairs(n, block_size):
    tokens = tokens_of(n, seed=1)
    ds = NextTokenDataset(tokens, block_size)
    x0, y0 = ds[0]
    xs, ys = all_items(ds, n - block_size)
    ex, ey = expected_windows(tokens, block_size)
    assert_close(x0, ex[0], what=f"NextTokenDataset({n} tokens, block_size={block_size})[0][0] (x)",
                 hint="x = tokens[i : i + T]: int64, shape (T,)")
    assert_close(xs, ex, what=f"NextTokenDataset({n} tokens, block_size={block_size}): every x",
                 hint="x = tokens[i : i + T]")
    assert_close(y0, ey[0], what=f"NextTokenDataset({n} tokens, block_size={block_size})[0][1] (y)",
                 hint=SHIFT_HINT)
    assert_close(ys, ey, what=f"NextTokenDataset({n} tokens, block_size={block_size}): every y",
                 hint=SHIFT_HINT)


def test_dataset_last_window_ends_at_the_last_token():
    tokens = torch.arange(100, 109)  # 9 tokens
    ds = NextTokenDataset(tokens, 4)
    x, y = ds[len(ds) - 1]
    assert_close(x, torch.arange(104, 108), what="NextTokenDataset(100..108, block_size=4)[last] x",
                 hint=LEN_HINT)
    assert_close(y, torch.arange(105, 109), what="NextTokenDataset(100..108, block_size=4)[last] y",
                 hint=SHIFT_HINT + "; the last target is the last token")


def test_dataset_one_window_when_block_size_is_n_minus_1():
    tokens = torch.tensor([7, 3, 9, 1, 4])
    ds = NextTokenDataset(tokens, 4)
    expect(len(ds) == 1, f"NextTokenDataset(5 tokens, block_size=4) has {len(ds)} windows, expected 1"
                         f"\n  hint: {LEN_HINT}")
    x, y = ds[0]
    assert_close(x, torch.tensor([7, 3, 9, 1]), what="NextTokenDataset([7, 3, 9, 1, 4], 4)[0] x")
    assert_close(y, torch.tensor([3, 9, 1, 4]), what="NextTokenDataset([7, 3, 9, 1, 4], 4)[0] y",
                 hint=SHIFT_HINT)


@pytest.mark.parametrize("n,block_size", [(4, 4), (3, 8), (1, 1), (6, 9), (0, 3)])
def test_dataset_too_few_tokens_is_a_value_error(n, block_size):
    assert_raises(ValueError, NextTokenDataset, tokens_of(n), block_size,
                  contract="if N <= T the constructor raises ValueError, saying how many tokens "
                           "it got and how many it needs (T + 1)",
                  mentions=(n, block_size + 1),
                  what=f"NextTokenDataset({n} tokens, block_size={block_size})",
                  hint=f"raise ValueError(f'got {{N}} tokens, need at least {{T + 1}}') before "
                       f"storing anything")


@pytest.mark.parametrize("index", ["len", "len + 3", "-1"])
def test_dataset_index_out_of_range(index):
    ds = NextTokenDataset(tokens_of(9, seed=8), 4)  # 5 windows
    i = {"len": 5, "len + 3": 8, "-1": -1}[index]
    assert_raises(IndexError, ds.__getitem__, i,
                  contract="valid indices are 0 <= i < len(dataset); any other index raises "
                           "IndexError",
                  what=f"NextTokenDataset(9 tokens, block_size=4)[{i}] (5 windows)",
                  hint="check 0 <= i < len(self) first: slicing past the end returns a short "
                       "window, and a negative i slices from the wrong place")


def test_dataset_iterates_to_its_end():
    tokens = torch.arange(20, 27)  # 7 tokens, block_size 3: 4 windows
    ds = NextTokenDataset(tokens, 3)
    items = []
    for item in ds:  # Python's legacy protocol: __getitem__(0), (1), ... until IndexError
        items.append(item)
        if len(items) > 10:
            raise SpecFailure("`for x, y in NextTokenDataset(7 tokens, block_size=3)` did not stop "
                              "after the 4 windows\n  hint: raise IndexError for i >= len(self)")
    expect(len(items) == 4, f"`list(NextTokenDataset(7 tokens, block_size=3))` has {len(items)} "
           f"items, expected 4\n  hint: {LEN_HINT}")
    ex, ey = expected_windows(tokens, 3)
    assert_close(torch.stack([x for x, _ in items]), ex, what="list(NextTokenDataset(20..26, 3)): every x")
    assert_close(torch.stack([y for _, y in items]), ey, what="list(NextTokenDataset(20..26, 3)): every y",
                 hint=SHIFT_HINT)


def test_dataset_items_are_int64():
    ds = NextTokenDataset(tokens_of(12, seed=2), 5)
    item = ds[3]
    expect(isinstance(item, tuple) and len(item) == 2,
           f"NextTokenDataset(...)[3] is a {type(item).__name__}, expected the pair (x, y), a tuple"
           f"\n  hint: return x, y")
    x, y = item
    expect(x.dtype == torch.int64 and y.dtype == torch.int64,
           f"NextTokenDataset(...)[3]: dtypes {x.dtype}, {y.dtype}, expected torch.int64 (token ids)")


@pytest.mark.parametrize("dtype", [torch.int32, torch.uint16, torch.uint8], ids=str)
def test_dataset_items_are_int64_for_compact_token_dtypes(dtype):
    """Token files are often stored as uint16 (GPT-2's 50257 ids fit) or int32: the items
    are int64 all the same, as nn.Embedding and F.cross_entropy's targets expect."""
    tokens = tokens_of(12, seed=9)
    ds = NextTokenDataset(tokens.to(dtype), 5)
    xs, ys = all_items(ds, 7)
    ex, ey = expected_windows(tokens, 5)
    what = f"NextTokenDataset(12 tokens of {dtype}, 5)"
    hint = "convert the windows to int64 (.long()): the ids may be stored in a smaller dtype"
    assert_close(xs, ex, what=f"{what}: every x", hint=hint)
    assert_close(ys, ey, what=f"{what}: every y", hint=hint)


def test_dataset_keeps_compact_tokens_compact():
    """uint16 token files exist to save memory: converting all N tokens to int64 (8 N bytes,
    4x the file) in the constructor, or in every __getitem__, defeats them. Only the window
    read is converted. A copy outside torch (tokens.tolist(), tokens.numpy().astype(np.int64))
    is a copy all the same: Python-side memory is measured too."""
    n, block_size = 4096, 8
    tokens = tokens_of(n, seed=10).to(torch.uint16)
    built = peak_bytes(NextTokenDataset, tokens, block_size)
    built_py = python_peak_bytes(NextTokenDataset, tokens, block_size)[1]
    expect(built_py < 4 * n,
           f"NextTokenDataset({n} uint16 tokens, block_size={block_size}) allocated {built_py} "
           f"bytes of Python memory (a list or numpy array) while building: a copy of all the "
           f"tokens ({2 * n} bytes as uint16)\n  hint: keep the tensor as given (no .tolist(), no "
           f"numpy int64 copy) and convert each window to int64 in __getitem__")
    expect(built < 4 * n,
           f"NextTokenDataset({n} uint16 tokens, block_size={block_size}) allocated {built} bytes "
           f"while building, a copy of all the tokens in a wider dtype ({n} tokens are {2 * n} "
           f"bytes as uint16, {8 * n} as int64)\n  hint: keep the tokens as given and convert "
           f"each window to int64 in __getitem__")
    ds = NextTokenDataset(tokens, block_size)
    ex, ey = expected_windows(tokens_of(n, seed=10), block_size)
    # a window early and the last one: converting a prefix (tokens[: i + T + 1].long()) or a
    # suffix (tokens[i:].long()) of the tokens is small at one end only
    for i in (100, n - block_size - 1):
        item_py = python_peak_bytes(ds.__getitem__, i)[1]
        expect(item_py < n,
               f"NextTokenDataset({n} uint16 tokens, block_size={block_size})[{i}] allocated {item_py} "
               f"bytes of Python memory (a list or numpy array) for a window of {block_size + 1} "
               f"tokens: it converted more than its window\n  hint: slice the window first, then convert "
               f"it: self.tokens[i : i + T + 1].long()")
        item = peak_bytes(ds.__getitem__, i)
        expect(item < n,
               f"NextTokenDataset({n} uint16 tokens, block_size={block_size})[{i}] allocated {item} "
               f"bytes for a window of {block_size + 1} tokens: it converted more than its window\n  hint: "
               f"slice the window first, then convert it (.long()): self.tokens[i : i + T + 1].long()")
        x, y = ds[i]
        assert_close((x, y), (ex[i], ey[i]), what=f"NextTokenDataset({n} uint16 tokens, "
                     f"block_size={block_size})[{i}]", hint="int64 windows, y shifted by one")


def test_dataset_non_contiguous_tokens_are_left_alone():
    tokens = non_contiguous(tokens_of(11, seed=3))
    with unchanged(tokens, names=["tokens"]):
        ds = NextTokenDataset(tokens, 3)
        xs, ys = all_items(ds, 8)
    ex, ey = expected_windows(tokens.contiguous(), 3)
    assert_close(xs, ex, what="NextTokenDataset(non-contiguous tokens, 3): every x")
    assert_close(ys, ey, what="NextTokenDataset(non-contiguous tokens, 3): every y", hint=SHIFT_HINT)


@given(n=st.integers(2, 40), data=st.data(), seed=st.integers(0, 2**31 - 1))
def test_dataset_property(n, data, seed):
    block_size = data.draw(st.integers(1, n - 1), label="block_size")
    tokens = tokens_of(n, seed=seed)
    ds = NextTokenDataset(tokens, block_size)
    expect(len(ds) == n - block_size,
           f"len(NextTokenDataset({n} tokens, block_size={block_size})) is {len(ds)}, expected "
           f"{n - block_size}\n  hint: {LEN_HINT}")
    xs, ys = all_items(ds, n - block_size)
    ex, ey = expected_windows(tokens, block_size)
    assert_close(xs, ex, what=f"NextTokenDataset({n} tokens, block_size={block_size}): every x")
    assert_close(ys, ey, what=f"NextTokenDataset({n} tokens, block_size={block_size}): every y",
                 hint=SHIFT_HINT)


@pytest.mark.parametrize("seed", [0, 7])
def test_dataset_in_a_seeded_shuffling_dataloader(seed):
    tokens = tokens_of(23, seed=4)
    ds = NextTokenDataset(tokens, 5)

    def batches(dataset):
        loader = DataLoader(dataset, batch_size=4, shuffle=True,
                            generator=torch.Generator().manual_seed(seed))
        return [(x, y) for x, y in loader]

    first, again = batches(ds), batches(ds)
    ex, ey = expected_windows(tokens, 5)
    expected = batches(list(zip(ex, ey)))  # the same loader over the expected windows
    expect(len(first) == len(expected),
           f"DataLoader(NextTokenDataset(23 tokens, 5), batch_size=4) gave {len(first)} batches, "
           f"expected {len(expected)}\n  hint: {LEN_HINT}")
    for k, ((x, y), (x2, y2), (rx, ry)) in enumerate(zip(first, again, expected)):
        assert_close(x, rx, what=f"DataLoader(shuffle=True, generator seeded {seed}) batch {k}: x")
        assert_close(y, ry, what=f"DataLoader(shuffle=True, generator seeded {seed}) batch {k}: y",
                     hint=SHIFT_HINT)
        assert_close((x2, y2), (x, y), what=f"the same loader and seed, run again: batch {k}",
                     hint="items must depend only on the index (no randomness in __getitem__)")


# ------------------------------------------------------------------------ pad_collate

CASES = [[3, 1, 4], [1], [5, 5], [2, 7, 1, 3, 11], [1, 1, 2]]


@pytest.mark.parametrize("lengths", CASES, ids=str)
@pytest.mark.parametrize("pad_id", [0, -1, 50257])
def test_pad_collate_matches_pad_sequence(lengths, pad_id):
    batch = seqs_of(lengths, seed=len(lengths))
    padded, lens, mask = pad_collate(batch, pad_id)
    e_padded, e_lens, e_mask = expected_collate(batch, pad_id)
    assert_close(lens, e_lens, what=f"pad_collate(lengths {lengths}, pad_id={pad_id}) lengths",
                 hint="an int64 tensor of shape (B,): len(seq) for each sequence")
    assert_close(mask, e_mask, what=f"pad_collate(lengths {lengths}, pad_id={pad_id}) mask",
                 hint=MASK_HINT + "; bool, shape (B, longest length)")
    assert_close(padded, e_padded, what=f"pad_collate(lengths {lengths}, pad_id={pad_id}) padded",
                 hint="shape (B, longest length), int64: each sequence on the left, pad_id after it")


def test_pad_collate_mask_is_true_on_real_tokens():
    out = pad_collate([torch.tensor([5, 6, 7]), torch.tensor([8])], 0)
    expect(isinstance(out, tuple) and len(out) == 3,
           f"pad_collate(...) returned a {type(out).__name__}, expected the tuple (padded, lengths, "
           f"mask)\n  hint: return padded, lengths, mask")
    padded, lengths, mask = out
    expected = torch.tensor([[True, True, True], [True, False, False]])
    assert_close(mask, expected, what="pad_collate([[5, 6, 7], [8]], 0) mask", hint=MASK_HINT)


@pytest.mark.parametrize("pad_id", [0, 7])
def test_pad_collate_real_tokens_equal_to_pad_id(pad_id):
    """A real token may equal pad_id (token 0 is a real token in many vocabularies): the mask
    and lengths come from the lengths, not from comparing with pad_id."""
    batch = [torch.tensor([pad_id, 3, pad_id]), torch.tensor([5, pad_id]), torch.tensor([pad_id])]
    padded, lengths, mask = pad_collate(batch, pad_id)
    e_padded, e_lens, e_mask = expected_collate(batch, pad_id)
    what = f"pad_collate([[{pad_id}, 3, {pad_id}], [5, {pad_id}], [{pad_id}]], pad_id={pad_id})"
    hint = ("real tokens can equal pad_id: build lengths from len(seq) and the mask from "
            "position < length, never from padded != pad_id")
    assert_close(lengths, e_lens, what=f"{what} lengths", hint=hint)
    assert_close(mask, e_mask, what=f"{what} mask", hint=hint)
    assert_close(padded, e_padded, what=f"{what} padded")


def test_pad_collate_real_tokens_read_back_in_order():
    batch = seqs_of([4, 2, 6], seed=5)
    padded, lengths, mask = pad_collate(batch, -1)
    assert_close(padded[mask], torch.cat(batch), what="pad_collate(...): padded[mask]",
                 hint=MASK_HINT + "; selecting the real tokens row by row gives the sequences back")
    assert_close(padded[~mask], torch.full((int((~mask).sum()),), -1),
                 what="pad_collate(..., pad_id=-1): padded[~mask]", hint="every padded slot holds pad_id")


def test_pad_collate_non_contiguous_inputs_are_left_alone():
    batch = [non_contiguous(s) for s in seqs_of([3, 5, 2], seed=6)]
    with unchanged(*batch, names=["batch[0]", "batch[1]", "batch[2]"]):
        out = pad_collate(batch, 0)
    assert_close(tuple(out), expected_collate([s.contiguous() for s in batch], 0),
                 what="pad_collate(non-contiguous sequences, 0)")


@pytest.mark.parametrize("dtype,pad_id,lengths", [(torch.int32, -1, [3, 1, 4]), (torch.uint8, 300, [3, 1, 4]),
                                                  (torch.uint16, 0, [3, 1, 4]), (torch.int32, 2**31, [3, 1, 4]),
                                                  # equal lengths: no padding at all (a torch.stack shortcut)
                                                  (torch.int32, -1, [2, 2])], ids=str)
def test_pad_collate_compact_token_dtypes(dtype, pad_id, lengths):
    batch = seqs_of(lengths, seed=8)
    out = pad_collate([s.to(dtype) for s in batch], pad_id)
    assert_close(tuple(out), expected_collate(batch, pad_id),
                 what=f"pad_collate(sequences of {dtype} with lengths {lengths}, pad_id={pad_id}) "
                      f"(padded, lengths, mask)",
                 hint="padded is int64 whatever the sequences' dtype, also when no row needs padding "
                      "(torch.stack(batch) keeps their dtype): build it with "
                      "torch.full(..., pad_id, dtype=torch.int64) (pad_id may not fit the "
                      "sequences' dtype) and copy the sequences into it")


@given(lengths=st.lists(st.integers(1, 10), min_size=1, max_size=6),
       pad_id=st.integers(-5, 100), seed=st.integers(0, 2**31 - 1))
def test_pad_collate_property(lengths, pad_id, seed):
    batch = seqs_of(lengths, seed=seed)
    out = pad_collate(batch, pad_id)
    assert_close(tuple(out), expected_collate(batch, pad_id),
                 what=f"pad_collate(lengths {lengths}, pad_id={pad_id}) (padded, lengths, mask)",
                 hint=MASK_HINT)


@pytest.mark.parametrize("seed", [0, 3])
def test_pad_collate_in_a_seeded_shuffling_dataloader(seed):
    data = seqs_of([4, 1, 7, 3, 3, 9, 2, 5, 6, 1, 8], seed=7)
    collate = functools.partial(pad_collate, pad_id=-1)

    def loader(collate_fn):
        return DataLoader(data, batch_size=3, shuffle=True, collate_fn=collate_fn,
                          generator=torch.Generator().manual_seed(seed))

    first, again = list(loader(collate)), list(loader(collate))
    expected = [expected_collate(b, -1) for b in loader(lambda b: b)]
    expect(len(first) == len(expected), f"the loader gave {len(first)} batches, expected {len(expected)}")
    for k, (got, got2, want) in enumerate(zip(first, again, expected)):
        assert_close(tuple(got), want, what=f"DataLoader(collate_fn=partial(pad_collate, pad_id=-1), "
                                            f"generator seeded {seed}) batch {k}", hint=MASK_HINT)
        assert_close(tuple(got2), tuple(got), what=f"the same loader and seed, run again: batch {k}")
