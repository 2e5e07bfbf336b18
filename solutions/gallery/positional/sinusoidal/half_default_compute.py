"""Computes in the default dtype and casts only the result: torch.arange(0, d_model, 2) * float,
torch.exp(...) and torch.zeros(...) without dtype= follow torch.get_default_dtype(), so under a
bfloat16 default (as LLM loaders set) the angles and sines are bfloat16 and the float32 table is
only good to about 1e-2. Give the helper tensors dtype=torch.float32 (or float64) explicitly."""

import math

import torch

from solutions.positional.sinusoidal import *  # noqa: F401,F403 (the rest is correct)


def sinusoidal_table(max_len, d_model):
    position = torch.arange(max_len).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))  # wrong: default dtype
    pe = torch.zeros(max_len, d_model)  # wrong: default dtype, cast only at the end
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term[: d_model // 2])
    return pe.float()
