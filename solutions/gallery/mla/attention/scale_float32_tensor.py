"""The softmax scale kept as a float32 tensor (torch.tensor(float(nope + rope)).rsqrt()): a
0-dim tensor does not change the scores' dtype, so a float64 module stays float64, but
1/sqrt(20) is rounded to float32 and every float64 output is off by ~1e-8 relative.

Fix: a Python float, (qk_nope_head_dim + qk_rope_head_dim) ** -0.5, which takes the scores' dtype.
"""

import torch

from solutions.mla.attention import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.attention import MultiHeadLatentAttention as _Correct


class MultiHeadLatentAttention(_Correct):
    def __init__(self, config):
        super().__init__(config)
        self.softmax_scale = torch.tensor(float(self.nope + self.rope)).rsqrt()  # wrong: float32
