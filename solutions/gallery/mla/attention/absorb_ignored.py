"""absorb=True ignored (the naive path runs either way): the outputs agree, but the point of
the absorbed path is lost: every decode step still multiplies the whole cached context by
kv_b_proj (2 * r * H * (nope + v) FLOPs per cached token, 33.5 million for DeepSeek-V3)
instead of scoring the latents directly (2 * H * (2r + rope), about 0.28 million). Fix: with
absorb=True fold W_UK into the query, attend over c_kv, and apply W_UV after the attention."""

from typing import Optional

import torch

from solutions.mla.attention import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.attention import MLACache, MultiHeadLatentAttention as _Correct


class MultiHeadLatentAttention(_Correct):
    def forward(self, x: torch.Tensor, cache: Optional[MLACache] = None, start_pos: int = 0,
                absorb: bool = False) -> torch.Tensor:
        return super().forward(x, cache=cache, start_pos=start_pos, absorb=False)  # wrong
