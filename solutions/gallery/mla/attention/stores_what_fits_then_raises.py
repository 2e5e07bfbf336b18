"""MLACache.update stores whatever fits (the rows up to batch_size, the positions up to
max_len) before it checks the sizes and raises ValueError: the rejected update has already
overwritten cached positions, and the next decode step attends to them.

Fix: check start_pos + T <= max_len and B <= batch_size first; store only after both hold."""

import torch

from solutions.mla.attention import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.attention import MLACache as _Reference


class MLACache(_Reference):
    def update(self, c_kv: torch.Tensor, k_rope: torch.Tensor, start_pos: int) -> tuple[torch.Tensor, torch.Tensor]:
        B, T, _ = c_kv.shape
        end = start_pos + T
        rows, stop = min(B, self.c_kv.shape[0]), min(end, self.c_kv.shape[1])
        self.c_kv[:rows, start_pos:stop] = c_kv[:rows, :stop - start_pos]
        self.k_rope[:rows, start_pos:stop] = k_rope[:rows, :stop - start_pos]
        if B > self.c_kv.shape[0] or end > self.c_kv.shape[1]:
            raise ValueError(f"cannot store batch {B} at positions {start_pos}..{end - 1} in a cache "
                             f"of batch {self.c_kv.shape[0]} and {self.c_kv.shape[1]} positions")
        return self.c_kv[:B, :end], self.k_rope[:B, :end]
