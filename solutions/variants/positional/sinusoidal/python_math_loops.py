"""Plain Python loops with the math module, one channel at a time, then torch.tensor(float32)."""

import math

import torch


def sinusoidal_table(max_len, d_model):
    rows = []
    for pos in range(max_len):
        row = []
        for c in range(d_model):
            angle = pos / 10000.0 ** ((c - c % 2) / d_model)
            row.append(math.sin(angle) if c % 2 == 0 else math.cos(angle))
        rows.append(row)
    return torch.tensor(rows, dtype=torch.float32).reshape(max_len, d_model)
