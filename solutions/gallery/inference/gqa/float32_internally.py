"""Computes in float32 whatever the inputs: q.float(), k.float(), v.float(), then casts the
result back to q's dtype. The dtype test passes, but float64 inputs get float32 accuracy
(~1e-7 relative instead of ~1e-16): a float64 check of a model (gradcheck, a reference run)
then disagrees for no visible reason.

Fix: compute in q's dtype; no .float() and no float32 helper tensors."""

import torch

from solutions.inference.gqa import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.gqa import grouped_query_attention as _correct


def grouped_query_attention(q, k, v, is_causal=False):
    return _correct(q.float(), k.float(), v.float(), is_causal).to(q.dtype)
