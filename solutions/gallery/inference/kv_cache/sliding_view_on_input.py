"""The ring buffer is written in one vectorised step through .view: the buffer and the new k
are flattened to (B * H, ., D) with .view. The buffer is contiguous, but k and v may come
straight from a transpose (the contract says so): .view raises on them ("view size is not
compatible with input tensor's size and stride").

Fix: .reshape (which copies only when it must), or index the 4-d tensors directly:
self.k[:, :, slots] = k."""

import torch

from solutions.inference.kv_cache import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.kv_cache import SlidingWindowCache as _Correct


class SlidingWindowCache(_Correct):
    def update(self, k, v):
        B, H, T, D = k.shape
        slots = (torch.arange(self.length, self.length + T, device=k.device) % self.window)[-self.window:]
        keep = slice(max(0, T - self.window), T)
        self.k.view(B * H, self.window, D)[:, slots] = k.view(B * H, T, D)[:, keep]
        self.v.view(B * H, self.window, D)[:, slots] = v.view(B * H, T, D)[:, keep]
        self.length += T
        if self.length <= self.window:
            return self.k[:, :, :self.length], self.v[:, :, :self.length]
        oldest = self.length % self.window
        order = torch.arange(oldest, oldest + self.window, device=self.k.device) % self.window
        return self.k[:, :, order], self.v[:, :, order]
