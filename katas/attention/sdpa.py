"""Days 15-16 — attention/sdpa: scaled dot-product attention, with masks.

Write:
    scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False, scale=None)
        q: (..., L, E) queries, k: (..., S, E) keys, v: (..., S, Ev) values, float32 or
            float64, all with the same leading batch dims "..." (none, or any number of
            them, e.g. (B, H)). L (queries) and S (keys) may differ.
        Returns (..., L, Ev), dtype of q:
            weights = softmax(q @ k^T * scale + mask, over the KEYS, the last dim)
            output  = weights @ v
        Computed in q's dtype: float64 inputs get float64 accuracy (no float32 detour), and
            the output is q's dtype whatever torch.get_default_dtype() is (a helper made with
            torch.zeros(L, S) and no dtype= follows the default).
        scale: a float (any sign); None means 1 / sqrt(E) (E = the size of q's last dim).
            Only None means "not given": scale=0.0 is a real scale (every score 0, a plain
            average).
        attn_mask, broadcastable to (..., L, S) (e.g. (L, S), (B, 1, 1, S), (S,)):
            bool:  True = this query may attend this key; False = it may not (its weight
                   is exactly 0, whatever the scale: hide it with -inf, not a finite -1e9).
            float: added to the scaled scores (an additive bias; -inf hides a key).
        is_causal=True: query i may attend key j only when j <= i, counted from the top-left
            corner like torch's tril (query 0 sees key 0 only, whatever L and S are).
            Give at most one of attn_mask and is_causal (torch raises if both are set; you
            may too).
        A query row whose keys are ALL masked (every entry False, or every entry -inf; a
        finite bias such as -1e9 on every key is not a mask) returns zeros for that row, as
        torch does (its math path uses a "safe" softmax):
        softmax of a row of -inf is 0/0 = NaN, so detect such rows and put 0 there. Its
        gradient is 0 too, as torch's: no NaN may reach q.grad, k.grad or v.grad (a NaN
        that a masked_fill hides in the forward still poisons the backward).
        Scores may be large (|q @ k^T * scale| ~ 100 in float32): exp of such a score
        overflows, so a hand-written softmax must subtract the row max first. Either sign:
        a row may sit entirely near -150 (an additive mask), and a hidden key may hold a
        row's largest score; neither changes the answer.
        Empty sizes work: a batch dim, L or S of 0 (S = 0: every row is fully masked).
        Any device: helper tensors you build (a causal mask) go on q.device.
        Equal to torch.nn.functional.scaled_dot_product_attention on the same arguments
        (dropout_p=0).

    The softmax itself is allowed here (torch.softmax / Tensor.softmax), and so is your own
    `from katas.losses.softmax import softmax`.

Off limits: torch.nn.functional.scaled_dot_product_attention, nn.MultiheadAttention and
torch.nn.functional.multi_head_attention_forward (and torch._safe_softmax, the SDPA's own
masked-row helper, and the fused aten _scaled_dot_product_* kernels).
Inputs must not be modified.
Run: pytest katas/attention/sdpa.py
"""

import torch


def scaled_dot_product_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                                 attn_mask: torch.Tensor | None = None, is_causal: bool = False,
                                 scale: float | None = None) -> torch.Tensor:
    """softmax(q k^T * scale + mask) v over the keys: (..., L, E), (..., S, E), (..., S, Ev) -> (..., L, Ev)."""
    raise NotImplementedError
