"""Day 1 — tensors/indexing: gather rows, pick the last token, average under a mask.

Write:
    gather_rows(x, idx) -> (B, K, C), same dtype as x. x is (B, T, C); idx is (B, K) int64
        with values in [0, T) (repeats allowed, K may exceed T). Each batch element picks its
        own rows: out[b, k] = x[b, idx[b, k]]. This is what
        torch.gather(x, 1, idx[..., None].expand(B, K, C)) returns; write it with indexing.
        B, K or C may be 0 (the result is then empty, shape (B, K, C)). x may hold any
        values, inf and NaN included: rows that are not picked must not affect the result.
        Differentiable: the gradient reaches x (a row picked twice gets both gradients).
    last_token(x, lengths) -> (B, C), same dtype as x. x is (B, T, C), right-padded: sequence
        b holds lengths[b] real tokens at positions 0 .. lengths[b] - 1, then padding.
        lengths is (B,) int64 with 1 <= lengths[b] <= T. out[b] = x[b, lengths[b] - 1], the
        last real token (not the first padding position). B or C may be 0 (an empty
        result). Padding positions may hold any values, inf and NaN included, and must not
        affect the result. Differentiable: the gradient reaches x at the picked positions
        only.
    masked_mean(x, mask, dim) -> x's shape without `dim`, same dtype as x (float16 and
        bfloat16 included). x is a floating tensor of any shape with at least one dim (sizes
        0 allowed); mask is a bool tensor of the same shape (True = counts). The mean
        over `dim` of the entries where mask is True: their sum divided by how many there are
        (not by x.shape[dim], and not by the count plus an eps). A float64 x is computed in
        float64 (float64 accuracy); float16 and bfloat16 are accumulated in float32, as
        torch.mean does, so a mean of representable values is finite even when their sum
        overflows the dtype (700 float16 values near 100 sum to 7e4 > 65504, their mean is
        100). Rule for an empty slice (no True along `dim`): the result
        there is 0, never NaN. Kept entries count as they are, as in torch.mean: a kept inf gives
        inf, a kept NaN gives NaN (no nan_to_num or isfinite clean-up of the result). dim may be negative. Masked-out entries may hold any finite
        value, up to the dtype's largest, and must not affect the result. Differentiable:
        each kept entry gets upstream / count; masked-out entries and empty slices get 0,
        never NaN. (To average a (B, T, C) tensor over T with a (B, T) mask, pass
        mask[..., None].expand_as(x), a stride-0 mask; that must work.)

Off limits: torch.gather, Tensor.gather and torch.take_along_dim in gather_rows (you are
writing the gather; x[rows, idx] advanced indexing is the tool).
Inputs must not be modified. Non-contiguous inputs must work. Results live on the inputs'
device (CPU or GPU): build any helper tensor (an arange of batch rows, flat offsets) there, on
every call (B has no upper limit: no slice of a cached arange).
Run: pytest katas/tensors/indexing.py
"""

import torch


def gather_rows(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """x (B, T, C), idx (B, K) int64 -> (B, K, C) with out[b, k] = x[b, idx[b, k]]."""
    raise NotImplementedError


def last_token(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """x (B, T, C), lengths (B,) int64 -> (B, C): x[b, lengths[b] - 1] for each b."""
    raise NotImplementedError


def masked_mean(x: torch.Tensor, mask: torch.Tensor, dim: int) -> torch.Tensor:
    """Mean of x over dim counting only mask==True entries; an empty slice gives 0."""
    raise NotImplementedError
