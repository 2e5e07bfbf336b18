"""Day 2 — broadcasting/products: dot and matmul from elementwise multiply and sum.

Write:
    dot(a, b) -> 0-d tensor: sum_i a[i] * b[i] for two 1-D tensors of the same length k and
        dtype, like torch.dot. Any dtype (float16, bfloat16, float32, float64, int64, int32,
        ...): the result has the inputs' dtype (int32 in, int32 out, like torch.dot); k = 0
        gives 0. Raise ValueError if a or b is not 1-D (two (2, 3) tensors of the same shape
        are still an error), or if their lengths differ (careful: a * b would silently
        broadcast a (1,) against a (3,)).
    matmul(a, b) -> the whole torch.matmul contract, for float tensors of one dtype
        (float16 and bfloat16 included; the result has that dtype, and float64 inputs are
        computed in float64, not through float32). Any size may be 0, as in torch: k = 0
        gives zeros, n = 0, m = 0 or a batch size 0 give empty results:
        (k,)       @ (k,)         -> ()            the dot product
        (n, k)     @ (k, m)       -> (n, m)
        (k,)       @ (..., k, m)  -> (..., m)      a 1-D left argument is a ROW (1, k); the
                                                   added dim is removed from the result
        (..., n, k) @ (k,)        -> (..., n)      a 1-D right argument is a COLUMN (k, 1);
                                                   the added dim is removed from the result
        (..., n, k) @ (..., k, m) -> (..., n, m)   batch dims (all but the last two)
                                                   broadcast like any elementwise op:
                                                   (2, 1, n, k) @ (5, k, m) -> (2, 5, n, m)
        Raise ValueError if an argument is 0-d or the contracted sizes differ (again, a
        broadcast multiply would accept k = 1 against k = 3 silently). Incompatible batch
        dims may raise any error (not tested).
    Build both from elementwise multiply (with broadcasting) and sum, plus views such as
    unsqueeze / squeeze / reshape / transpose. Both must stay differentiable (autograd).
    Results live on the inputs' device (CPU or GPU), also for size-0 inputs.

Off limits: torch.matmul and the @ operator, torch.mm, torch.bmm, torch.dot, torch.vdot,
    torch.mv, torch.einsum, torch.tensordot, torch.inner, torch.outer, torch.ger,
    torch.addmm / addmv / addbmm / baddbmm, torch.chain_matmul, torch.linalg.matmul /
    multi_dot / vecdot, torch.nn.functional.linear / bilinear (and their Tensor methods).
Inputs must not be modified.
Run: pytest katas/broadcasting/products.py
"""

import torch


def dot(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """(k,), (k,) -> 0-d tensor; ValueError unless both are 1-D of the same length."""
    raise NotImplementedError


def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """torch.matmul semantics: 1-D promotion and removal, batch broadcasting."""
    raise NotImplementedError
