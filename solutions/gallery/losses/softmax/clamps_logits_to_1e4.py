"""softmax that clamps the logits to [-1e4, 1e4] first, reading "logits of ±1e4 give finite
results" as a range to force them into: x.clamp(-1e4, 1e4). Logits just past 1e4 (10003,
10001, 10000) all become 10000 and the slice comes out uniform; softmax only needs the max
shift, which keeps every difference between logits.

Fix: no clamp; exp(x - x.amax(dim, keepdim=True)) is finite for any finite logits.
"""

from solutions.losses.softmax import *  # noqa: F401,F403 (the rest is correct)


def softmax(x, dim=-1):
    x = x.clamp(-1e4, 1e4)
    e = (x - x.amax(dim=dim, keepdim=True)).exp()
    return e / e.sum(dim=dim, keepdim=True)
