"""is_causal=True on a decode step: with one new query and S cached keys, the top-left
causal mask (key j visible when j <= i, i = 0) hides every key but the first, so each
decoded token attends to token 0 only. A single new token is the LAST position: it sees
every cached key, itself included.

Fix: use is_causal only for a prefill into an empty cache (or align the mask bottom-right:
key j visible when j <= S - T + i)."""

from katas.inference.gqa import grouped_query_attention
from solutions.inference.mqa import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.mqa import MultiQueryAttention as _Correct


class MultiQueryAttention(_Correct):
    def forward(self, x, cache=None):
        B, T, C = x.shape
        q = self.q_proj(x).view(B, T, self.n_heads, self.head_dim).transpose(1, 2)
        k, v = self.k_proj(x).unsqueeze(1), self.v_proj(x).unsqueeze(1)
        if cache is not None:
            k, v = cache.update(k, v)
        out = grouped_query_attention(q, k, v, is_causal=True)  # wrong for a decode step
        return self.o_proj(out.transpose(1, 2).reshape(B, T, C))
