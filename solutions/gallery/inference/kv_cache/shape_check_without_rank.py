"""The shape check compares k.shape[0], k.shape[1] and k.shape[-1] with (batch, n_heads,
head_dim) but never the number of dims: a 3-D k of (batch, n_heads, head_dim), one token
with its T dim forgotten, passes as T = head_dim positions, and slice assignment broadcasts
that (B, H, D) over D positions of the buffer: no error, a cache of wrong keys.

Fix: require k.dim() == 4 as well (k.shape == (batch, n_heads, T, head_dim))."""

from solutions.inference.kv_cache import *  # noqa: F401,F403 (the rest is correct)
import solutions.inference.kv_cache as _ref


def _check_shapes(buffer, k, v):
    B, H, _, D = buffer.shape
    for name, t in (("k", k), ("v", v)):
        if (t.shape[0], t.shape[1], t.shape[-1]) != (B, H, D) or t.shape[-2] != k.shape[-2]:  # wrong: no rank
            raise ValueError(f"{name} has shape {tuple(t.shape)}; this cache expects ({B}, {H}, T, {D})")


class KVCache(_ref.KVCache):
    def update(self, k, v):
        _check_shapes(self.k, k, v)
        start, end = self.length, self.length + k.shape[2]
        if end > self.max_len:
            raise ValueError(f"KVCache holds {self.max_len} positions; {start} stored + {k.shape[2]} new "
                             f"would be {end}")
        self.k[:, :, start:end] = k
        self.v[:, :, start:end] = v
        self.length = end
        return self.k[:, :, :end], self.v[:, :, :end]
