"""Day 1 — tensors/creation: masks, positions, one-hot, numpy sharing.

Write:
    causal_mask(n) -> (n, n) bool: True where query position i may attend key position j,
        i.e. j <= i (the diagonal included: a token sees itself). n = 0 gives a (0, 0) bool
        tensor; n has no upper limit. Every call returns a new tensor that shares memory with
        no other result: the caller may modify it in place (mask &= keep) without changing the
        masks of later calls (so no slice of a cached, precomputed mask).
    positions(batch, t) -> (batch, t) int64: every row is 0, 1, ..., t-1 (an arange expanded
        over the batch). batch = 0 or t = 0 give an empty int64 tensor of that shape; t has
        no upper limit (no slice of a precomputed table of positions).
    one_hot(idx, num_classes) -> idx.shape + (num_classes,) int64: 1 at each index, 0
        elsewhere, like F.one_hot. idx is an int64 tensor of any shape (0-dim, size-0 dims,
        non-contiguous), values in [0, num_classes); the width is always num_classes (no
        upper limit), never idx.max() + 1. The result is on idx's device (build every helper
        tensor there, also when you check idx's values first).
    share_numpy(a) -> a tensor that shares memory with the numpy array `a` (same dtype and
        shape, any dtype torch supports, 0-dim and non-contiguous arrays such as a.T or
        a[:, ::2] included): writing to one shows in the other. Arrays with a negative stride
        (a[::-1]) cannot be shared, since torch has no negative strides: raise ValueError, as
        torch.from_numpy does.

Off limits: torch.nn.functional.one_hot (you are writing it).
Inputs must not be modified.
Run: pytest katas/tensors/creation.py
"""

import numpy as np
import torch


def causal_mask(n: int) -> torch.Tensor:
    """(n, n) bool, True on and below the diagonal."""
    raise NotImplementedError


def positions(batch: int, t: int) -> torch.Tensor:
    """(batch, t) int64; row b is 0..t-1."""
    raise NotImplementedError


def one_hot(idx: torch.Tensor, num_classes: int) -> torch.Tensor:
    """idx (...) int64 -> (..., num_classes) int64."""
    raise NotImplementedError


def share_numpy(a: np.ndarray) -> torch.Tensor:
    """A tensor viewing the same memory as `a`."""
    raise NotImplementedError
