"""Day 23 — inference/gqa: grouped-query attention (GQA) without copying K and V.

In multi-head attention every query head has its own key and value head, so the KV cache
holds Hq heads. Grouped-query attention (Llama 2 70B, Llama 3, Mistral) keeps only Hkv key/
value heads, Hq a multiple of Hkv: the G = Hq // Hkv consecutive query heads
j*G, ..., j*G + G - 1 all read kv head j. In other words query head h reads kv head h // G.
Hkv = Hq is ordinary multi-head attention; Hkv = 1 is multi-query attention (day 24).
The cache shrinks by Hq / Hkv, and so does the memory traffic of a decode step, but only if
K and V are never copied out to Hq heads.

Write:
    grouped_query_attention(q, k, v, is_causal=False) -> (B, Hq, L, Dv):
        q: (B, Hq, L, D), k: (B, Hkv, S, D), v: (B, Hkv, S, Dv); float32 or float64; the
        output has q's dtype and is computed in it (float64 inputs are checked to 1e-12).
        Hq must be a multiple of Hkv: otherwise raise ValueError (also when Hq < Hkv, e.g.
        Hq = 2 with Hkv = 4), before any work.
        Query head h attends with kv head h // (Hq // Hkv):
            out[:, h] = softmax(q[:, h] @ k[:, h // G]^T / sqrt(D)) @ v[:, h // G]
        is_causal=True: query i sees key j when j <= i, aligned top-left like
        F.scaled_dot_product_attention's is_causal (also when L != S).
        The result equals F.scaled_dot_product_attention(q, k, v, is_causal=is_causal,
        enable_gqa=True), also for large scores (|q k^T / sqrt(D)| in the hundreds: no
        overflow; scores down to -1e35: mask with -inf, not a finite -1e4 / -1e9) and on
        any device (helper tensors such as a mask on q's device). Inputs may be
        non-contiguous (e.g. straight from a transpose): use reshape, not view,
        where the layout matters. Gradients flow to q, k and v.

        Budget (the point of GQA): never build K or V for every query head. The spec lists
        every tensor your function allocates (B=2, Hq=10, Hkv=2, so G=5, and Hkv=1, G=10;
        L=1 and L=3; S=96; D=Dv=16; causal and not) and rejects any single new tensor with
        B*G*S*D elements or more: that is one kv head's K (or V) repeated for its G query heads.
        All of these allocate it:
            k.repeat_interleave(G, dim=1)            (off limits anyway)
            k[:, :, None].expand(B, Hkv, G, S, D).reshape(B, Hq, S, D)
            q.view(B, Hkv, G, L, D) @ k[:, :, None].transpose(-2, -1)
                (torch.matmul broadcasts the size-1 group dim by copying k G times)
        Instead, fold the group into the query axis: query heads j*G .. j*G + G - 1 are
        rows of one matrix, q.reshape(B, Hkv, G * L, D), which multiplies k[:, j] as is:
        one (G*L, D) @ (D, S) matmul per kv head. (A causal mask then applies to the
        (B, Hkv, G, L, S) view of the scores.) torch.einsum also avoids the copy.

    GroupedQueryAttention(d_model, n_heads, n_kv_heads): an nn.Module.
        head_dim = d_model // n_heads (d_model divisible by n_heads, n_heads by n_kv_heads).
        Parameters, all nn.Linear(..., bias=False), with exactly these state_dict keys:
            q_proj.weight  (n_heads * head_dim, d_model)
            k_proj.weight  (n_kv_heads * head_dim, d_model)
            v_proj.weight  (n_kv_heads * head_dim, d_model)
            o_proj.weight  (d_model, n_heads * head_dim)
        forward(x, is_causal=True) -> (B, T, d_model); x: (B, T, d_model).
            q = q_proj(x) split into n_heads heads, k = k_proj(x) and v = v_proj(x) into
            n_kv_heads heads: head h owns channels h*head_dim .. (h+1)*head_dim - 1 of its
            projection, i.e. .view(B, T, heads, head_dim).transpose(1, 2) (Llama's layout);
            grouped_query_attention(q, k, v, is_causal); merge the heads back to
            (B, T, n_heads * head_dim); o_proj. Causal by default (a decoder).
        Initialise as you like: the specs load weights with load_state_dict.

Off limits: torch.nn.functional.scaled_dot_product_attention (and its aten kernels),
torch.repeat_interleave / Tensor.repeat_interleave.
Inputs must not be modified.
Run: pytest katas/inference/gqa.py
"""

import torch
import torch.nn as nn


def grouped_query_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                            is_causal: bool = False) -> torch.Tensor:
    """(B, Hq, L, D), (B, Hkv, S, D), (B, Hkv, S, Dv) -> (B, Hq, L, Dv); head h reads kv head h // G."""
    raise NotImplementedError


class GroupedQueryAttention(nn.Module):
    """Self-attention with n_heads query heads sharing n_kv_heads key/value heads."""

    def __init__(self, d_model: int, n_heads: int, n_kv_heads: int):
        super().__init__()
        raise NotImplementedError

    def forward(self, x: torch.Tensor, is_causal: bool = True) -> torch.Tensor:
        """(B, T, d_model) -> (B, T, d_model)."""
        raise NotImplementedError
