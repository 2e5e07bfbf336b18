"""SlidingWindowCache.update checks k, writes the keys into the ring, and only then checks v:
a refused update (a good k, a v of the wrong shape) has already overwritten ring slots, and
once it covers the window every kept key is gone, though the ValueError says nothing happened.

Fix: check the shapes of k AND v first (and that they agree on T), then write both."""

import torch

import solutions.inference.kv_cache as _ref
from solutions.inference.kv_cache import *  # noqa: F401,F403 (the rest is correct)


def _check_one(buffer, t, name):
    B, H, _, D = buffer.shape
    if t.dim() != 4 or (t.shape[0], t.shape[1], t.shape[3]) != (B, H, D):
        raise ValueError(f"{name} has shape {tuple(t.shape)}; this cache expects ({B}, {H}, T, {D})")


class SlidingWindowCache(_ref.SlidingWindowCache):
    def update(self, k, v):
        _check_one(self.k, k, "k")
        for t in range(k.shape[2]):
            self.k[:, :, (self.length + t) % self.window] = k[:, :, t]
        _check_one(self.v, v, "v")  # wrong: checked after the keys were written
        if v.shape[2] != k.shape[2]:
            raise ValueError(f"k has {k.shape[2]} positions, v {v.shape[2]}")
        for t in range(k.shape[2]):
            self.v[:, :, (self.length + t) % self.window] = v[:, :, t]
        self.length += k.shape[2]
        n = min(self.length, self.window)
        order = torch.arange(self.length - n, self.length, device=self.k.device) % self.window
        return self.k[:, :, order], self.v[:, :, order]
