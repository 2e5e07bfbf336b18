"""reset() allocates fresh zero buffers with torch.zeros(shape, device=...) and no dtype=:
they follow the default dtype, so a float64 cache is float32 after its first reset and
rounds every key written after it (a float16 or bfloat16 cache doubles its memory).

Fix: reset() only sets length = 0 (the old values are ignored); a reallocation must keep
the buffers' dtype and device (torch.zeros_like)."""

import torch

from solutions.inference.kv_cache import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.kv_cache import KVCache as _Correct


class KVCache(_Correct):
    def reset(self):
        self.k = torch.zeros(self.k.shape, device=self.k.device)  # wrong: default dtype
        self.v = torch.zeros(self.v.shape, device=self.v.device)
        self.length = 0
