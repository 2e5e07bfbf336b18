"""MLACache with dtype=None as its default, passed to torch.zeros as it is: with torch's default
dtype set to float64 a plain MLACache(config, B, max_len) is float64, though the signature
promises dtype=torch.float32 (a float32 model then finds a float64 cache).

Fix: def __init__(..., dtype=torch.float32, device=None) and torch.zeros(..., dtype=dtype).
"""

import torch

from solutions.mla.attention import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.attention import MLACache as _Correct


class MLACache(_Correct):
    def __init__(self, config, batch_size, max_len, dtype=None, device=None):  # wrong default
        self.c_kv = torch.zeros(batch_size, max_len, config.kv_lora_rank, dtype=dtype, device=device)
        self.k_rope = torch.zeros(batch_size, max_len, config.qk_rope_head_dim, dtype=dtype, device=device)
