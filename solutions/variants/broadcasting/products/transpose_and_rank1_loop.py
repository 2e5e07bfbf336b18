"""dot as a rank-0 multiply-sum over views; matmul as a loop over k of rank-1 updates into a buffer of the inputs' dtype, with b transposed so every slice is taken along the last dim."""

import torch


def dot(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    if a.dim() != 1 or b.dim() != 1:
        raise ValueError(f"dot takes 1-D tensors, got {a.dim()}-D and {b.dim()}-D")
    if a.numel() != b.numel():
        raise ValueError(f"dot: {a.numel()} vs {b.numel()} elements")
    return torch.sum(torch.mul(a, b), dim=0, dtype=a.dtype)


def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    if min(a.dim(), b.dim()) == 0:
        raise ValueError("matmul of a 0-d tensor")
    row, col = a.dim() == 1, b.dim() == 1
    a2 = a.reshape(1, -1) if row else a
    b2 = b.reshape(-1, 1) if col else b
    bt = b2.transpose(-1, -2)  # (..., m, k)
    k = a2.shape[-1]
    if bt.shape[-1] != k:
        raise ValueError(f"matmul: a has k = {k}, b has k = {bt.shape[-1]}")
    # an empty slice of k gives zeros of the broadcast output shape and the inputs' dtype
    out = (a2[..., :, None, :0] * bt[..., None, :, :0]).sum(-1)  # (..., n, m)
    for i in range(k):  # rank-1 update: column i of a times row i of b
        out = out + a2[..., :, i, None] * bt[..., None, :, i]
    if row:
        out = out.select(-2, 0)
    if col:
        out = out.select(-1, 0)
    return out
