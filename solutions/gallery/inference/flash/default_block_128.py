"""flash_attention with block_size=128 as its default (the tile size of many FlashAttention
kernels) instead of the contract's 64: every value is still right, but a call that leaves
block_size out builds 128 x 128 score tiles, four times the memory the signature promises.

Fix: def flash_attention(q, k, v, causal=False, block_size=64).
"""

from solutions.inference import flash as _sol
from solutions.inference.flash import *  # noqa: F401,F403 (the rest is correct)


def flash_attention(q, k, v, causal=False, block_size=128):  # wrong default
    return _sol.flash_attention(q, k, v, causal=causal, block_size=block_size)
