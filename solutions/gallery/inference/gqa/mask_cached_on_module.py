"""GroupedQueryAttention caches the causal mask on the module as a plain attribute, rebuilt
only when T changes: it is made on x's device at the first call, but a model that ran on the
CPU and was then moved with .to("cuda") keeps the CPU mask (.to() moves parameters and buffers
only), and attention fails with "Tensor on device cpu is not on the expected device" (here:
the meta device).

Fix: build the mask in forward on x's device at every call (it is tiny), or register_buffer it."""

import math

import torch

from solutions.inference.gqa import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.gqa import GroupedQueryAttention as _Correct


class GroupedQueryAttention(_Correct):
    def forward(self, x, is_causal=True):
        B, T, _ = x.shape
        q = self.q_proj(x).view(B, T, self.n_heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(B, T, self.n_kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(B, T, self.n_kv_heads, self.head_dim).transpose(1, 2)
        G = self.n_heads // self.n_kv_heads
        scores = q.reshape(B, self.n_kv_heads, G * T, self.head_dim) @ k.transpose(-2, -1) / math.sqrt(self.head_dim)
        if is_causal:
            if getattr(self, "mask", None) is None or self.mask.shape[0] != T:
                self.mask = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()  # kept: stays put
            scores = scores.view(B, self.n_kv_heads, G, T, T).masked_fill(~self.mask, float("-inf"))
            scores = scores.view(B, self.n_kv_heads, G * T, T)
        out = (torch.softmax(scores, dim=-1) @ v).reshape(B, self.n_heads, T, self.head_dim)
        return self.o_proj(out.transpose(1, 2).reshape(B, T, self.n_heads * self.head_dim))
