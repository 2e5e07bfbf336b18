"""MLACache allocates with torch.zeros(...) and forgets dtype=: the cache is always float32, so a
float64 model's latents are rounded when stored (and the dtype argument does nothing).

Fix: torch.zeros(..., dtype=dtype, device=device).
"""

import torch

from solutions.mla.attention import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.attention import MLACache as _Correct


class MLACache(_Correct):
    def __init__(self, config, batch_size, max_len, dtype=torch.float32, device=None):
        self.c_kv = torch.zeros(batch_size, max_len, config.kv_lora_rank, device=device)  # wrong
        self.k_rope = torch.zeros(batch_size, max_len, config.qk_rope_head_dim, device=device)
