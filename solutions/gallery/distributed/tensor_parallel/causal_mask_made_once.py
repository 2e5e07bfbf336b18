"""ParallelSelfAttention makes its causal mask once, at a fixed 64 x 64, and slices it for
each call: fine for short sequences, a shape error past 64 positions (nothing in the contract
caps T).

Fix: build the mask for this call's T (torch.ones(T, T, dtype=torch.bool).tril())."""

import math

import torch

import solutions.distributed.tensor_parallel as _reference
from solutions.distributed.tensor_parallel import *  # noqa: F401,F403 (the rest is correct)

_CAUSAL = torch.ones(64, 64, dtype=torch.bool).tril()


class ParallelSelfAttention(_reference.ParallelSelfAttention):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, _ = x.shape
        x = _reference._CopyToParallel.apply(x)
        q, k, v = (proj(x).view(B, T, self.n_local_heads, self.head_dim).transpose(1, 2)
                   for proj in (self.q_proj, self.k_proj, self.v_proj))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(self.head_dim)
        att = att.masked_fill(~_CAUSAL[:T, :T], float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, self.n_local_heads * self.head_dim)
        return self.o_proj(y)
