"""mla_decode writes `softmax_scale = softmax_scale or 1 / sqrt(r + rope)`: an explicit 0.0 (every
score 0, o the plain mean of the cached rows) is replaced by a default the contract never states.

Fix: use softmax_scale exactly as given; mla_decode has no default scale."""

from solutions.kernels import mla_decode as _r
from solutions.kernels.mla_decode import *  # noqa: F401,F403


def mla_decode(q_latent, q_rope, c_kv, k_rope, cache_seqlens, softmax_scale, num_splits=2, block_n=16):
    softmax_scale = softmax_scale or (q_latent.shape[-1] + q_rope.shape[-1]) ** -0.5
    return _r.mla_decode(q_latent, q_rope, c_kv, k_rope, cache_seqlens, softmax_scale, num_splits, block_n)
