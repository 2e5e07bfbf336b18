"""The sliding-window cache reports how many positions it STORES (at most window) as its
length. The attention module reads cache.length as the next token's position for RoPE, so
once the window is full every new token is rotated as if it sat at position `window`: the
relative positions between the new query and the cached keys are wrong.

Fix: length counts every token seen (the next position); the number of keys stored is
min(length, window)."""

import torch

from solutions.inference.kv_cache import *  # noqa: F401,F403 (the rest is correct)


class SlidingWindowCache:
    def __init__(self, batch, n_heads, window, head_dim, dtype=torch.float32, device=None):
        self.window = window
        self.k = torch.zeros(batch, n_heads, window, head_dim, dtype=dtype, device=device)
        self.v = torch.zeros(batch, n_heads, window, head_dim, dtype=dtype, device=device)
        self.seen = 0

    @property
    def length(self) -> int:
        return min(self.seen, self.window)  # the keys stored, not the next position

    def update(self, k, v):
        for t in range(k.shape[2]):
            slot = (self.seen + t) % self.window
            self.k[:, :, slot] = k[:, :, t]
            self.v[:, :, slot] = v[:, :, t]
        self.seen += k.shape[2]
        if self.seen <= self.window:
            return self.k[:, :, :self.seen], self.v[:, :, :self.seen]
        order = (torch.arange(self.window) + self.seen) % self.window
        return self.k[:, :, order], self.v[:, :, order]

    def reset(self):
        self.seen = 0
