"""max by a Python loop over the rows: move `dim` last, flatten the rest into rows, scan each
row, and torch.stack the per-row results. With a size-0 dim other than `dim` (x of shape
(0, 3), dim=1) there are no rows, and torch.stack([]) raises, where torch.max returns empty
values and indices.

Fix: reduce with whole-tensor ops: walk the positions along dim with comparisons and
torch.where (values and indices for every row at once), which handles zero rows for free."""

import torch

from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)


def max(x, dim=-1, keepdim=False):
    moved = x.movedim(dim, -1)
    rows = moved.reshape(-1, moved.shape[-1])
    values, indices = [], []
    for row in rows:
        best, where = row[0], 0
        for i in range(1, row.shape[0]):
            if row[i] > best:
                best, where = row[i], i
        values.append(best)
        indices.append(where)
    values = torch.stack(values).reshape(moved.shape[:-1])
    indices = torch.tensor(indices, dtype=torch.int64).reshape(moved.shape[:-1])
    if keepdim:
        values, indices = values.unsqueeze(dim), indices.unsqueeze(dim)
    return values, indices
