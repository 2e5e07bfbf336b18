"""The sliding-window cache writes an update as at most two slices: the part that fits up to
the end of the ring, then the rest from slot 0. That is right while T <= 2 * window - slot,
but an update may hold any number of positions: with window 4, an update of 9 positions
arriving at slot 3 leaves 8 for the second slice, which does not fit the 4 slots
(RuntimeError: the expanded size of the tensor (4) must match the existing size (8)).

Fix: keep only the last window positions of k and v first (the others are overwritten
anyway), then write those with the wrap-around; or write position p to slot p % window."""

import torch

from solutions.inference.kv_cache import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.kv_cache import SlidingWindowCache as _Correct, _check_shapes


class SlidingWindowCache(_Correct):
    def update(self, k, v):
        _check_shapes(self.k, k, v)
        T = k.shape[2]
        slot = self.length % self.window
        first = min(T, self.window - slot)
        self.k[:, :, slot:slot + first] = k[:, :, :first]
        self.v[:, :, slot:slot + first] = v[:, :, :first]
        if T > first:  # wrong: the rest may be longer than the window
            self.k[:, :, :T - first] = k[:, :, first:]
            self.v[:, :, :T - first] = v[:, :, first:]
        self.length += T
        if self.length <= self.window:
            return self.k[:, :, :self.length], self.v[:, :, :self.length]
        order = (torch.arange(self.window, device=self.k.device) + self.length) % self.window
        return self.k[:, :, order], self.v[:, :, order]
