"""Day 2 — broadcasting/reductions: mean, max with indices, pairwise distances, normalize.

Write:
    mean(x, dim=-1, keepdim=False) -> the mean of float tensor x over the single int dim `dim`
        (negative dims count from the end), like torch.mean(x, dim, keepdim). The reduced dim
        is removed, or kept with size 1 when keepdim=True. Same dtype as x, for every float
        dtype (float16 and bfloat16 included), computed in it (float64 stays float64; a float16
        sum past 65504 may overflow where torch.mean, which sums in float32, does not: such
        inputs are not asked for). A size-0 dim gives NaN (0 / 0), as in torch.
    max(x, dim=-1, keepdim=False) -> (values, indices) like torch.max(x, dim, keepdim):
        values (x's dtype) is the largest entry along `dim`, indices (int64) its position
        along `dim` (0 .. x.shape[dim]-1), so that x.gather(dim, indices) gives values (with
        keepdim). Both have the same shape: `dim` removed, or kept with size 1 when
        keepdim=True. On ties any position holding the maximum is accepted. x is a float or
        integer tensor (any float dtype, int32, int64, uint8) with at least one dim, without
        NaN; x.shape[dim] >= 1, while the other dims may be 0 (then both results are
        empty). x may hold -inf, +inf and huge finite values (-1e300 in float64), and int64
        values beyond 2**53 that a float cannot hold exactly. Return a tuple (a named tuple is
        fine; a list is not).
    pairwise_sq_dists(a, b) -> (N, M): out[i, j] = sum_d (a[i, d] - b[j, d])**2 for a (N, D)
        and b (M, D) of one float dtype (float16 and bfloat16 included, though torch.cdist
        lacks them; the result has that dtype); equals torch.cdist(a, b) ** 2 (checked within
        rtol 1e-4, atol 1e-3 in float32 and rtol 1e-7, atol 1e-9 in float64, so the
        |a|^2 + |b|^2 - 2 a.b expansion is fine). N, M or D may be 0 (D = 0 gives zeros).
        Its gradient is the one of the formula above, also where a[i] == b[j] (0 there).
    normalize(x, dim=-1, eps=1e-12) -> x divided by its L2 norm over `dim`, like
        F.normalize(x, p=2, dim=dim, eps=eps): the norm is clamped from below at eps, i.e.
        x / max(||x||, eps), so a zero vector gives zeros (no NaN) and a vector shorter than
        eps is divided by eps. Same shape and dtype as x (float64 computed in float64, eps
        included: a float32 torch.tensor(eps) is 9.9999998e-13). eps=0.0 means no clamp (it is
        not "use the default"). Large entries must not overflow: float16 x of a few hundred (whose
        squares pass float16's max, 65504) is normalised like F.normalize does (x * x in
        float16 overflows to inf there; torch's norm accumulates in float32). In float16 the
        default eps rounds to 0, so F.normalize gives NaN for a float16 zero vector: NaN or
        zeros are both accepted there. The gradient is F.normalize's, also at a zero vector,
        where it is finite (grad / eps): sqrt's derivative at 0 is infinite, so take the norm
        with torch.linalg.vector_norm (whose backward is 0 at 0) or keep sqrt away from 0.
    All four must stay differentiable (autograd) where x, a, b are float.
    Results live on the inputs' device (CPU or GPU): build any helper tensor there.

Off limits: torch.mean / Tensor.mean (and nanmean, var_mean, std_mean) in mean; torch.max,
    amax, argmax, and also min, amin, argmin, aminmax, topk, sort, argsort, msort, kthvalue,
    cummax (and their Tensor methods) in max; torch.cdist, torch.pdist,
    F.pairwise_distance in pairwise_sq_dists; torch.nn.functional.normalize in normalize.
    Sums, comparisons, torch.where, torch.maximum, norms and matmul are all allowed.
Inputs must not be modified.
Run: pytest katas/broadcasting/reductions.py
"""

import torch


def mean(x: torch.Tensor, dim: int = -1, keepdim: bool = False) -> torch.Tensor:
    """Mean over `dim`; keeps it with size 1 when keepdim."""
    raise NotImplementedError


def max(x: torch.Tensor, dim: int = -1, keepdim: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """(values, int64 indices) of the maximum along `dim`, like torch.max(x, dim, keepdim)."""
    raise NotImplementedError


def pairwise_sq_dists(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """(N, D), (M, D) -> (N, M) squared Euclidean distances."""
    raise NotImplementedError


def normalize(x: torch.Tensor, dim: int = -1, eps: float = 1e-12) -> torch.Tensor:
    """x / max(L2 norm of x over dim, eps)."""
    raise NotImplementedError
