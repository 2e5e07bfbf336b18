"""MoE's output buffer made with a bare torch.zeros(tokens.shape, dtype=torch.float32): it lands on the
default device (the CPU), so on a GPU index_add_ of the experts' CUDA rows into it fails with a device
mismatch (every spec on the CPU passes).

Fix: build the buffer where the tokens are: torch.zeros(..., device=x.device), or tokens.new_zeros(
tokens.shape, dtype=torch.float32).
"""

import torch

from solutions.deepseek import moe as _m
from solutions.deepseek.moe import *  # noqa: F401,F403 (the rest is correct)


class MoE(_m.MoE):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, H) -> (B, T, H), no residual."""
        shape = x.shape
        tokens = x.reshape(-1, shape[-1])                                 # (N, H)
        topk_idx, topk_weight = self.gate(tokens)                         # (N, k) each
        k = topk_idx.shape[1]

        # Sort the N*k (token, expert) pairs by expert: each expert's tokens are contiguous.
        order = topk_idx.flatten().argsort()
        token_of = order // k                                             # which token
        counts = torch.bincount(topk_idx.flatten(), minlength=len(self.experts)).tolist()
        routed = torch.zeros(tokens.shape, dtype=torch.float32)  # wrong: no device=
        start = 0
        for expert, count in zip(self.experts, counts):
            if count == 0:
                continue
            rows = token_of[start:start + count]
            weights = topk_weight.flatten()[order[start:start + count]].unsqueeze(-1)
            routed.index_add_(0, rows, expert(tokens[rows]).float() * weights)
            start += count

        out = routed.to(x.dtype)
        if self.shared_experts is not None:
            out = out + self.shared_experts(tokens)
        return out.view(shape)
