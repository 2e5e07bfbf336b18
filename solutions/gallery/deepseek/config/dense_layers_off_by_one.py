"""Dense/MoE switch off by one: layers 0 .. first_k_dense_replace (inclusive) counted as
dense. first_k_dense_replace is the NUMBER of leading dense layers (3 in V3: layers 0, 1, 2);
layer i is an MoE layer when i >= first_k_dense_replace. Fix: first_k_dense_replace dense
layers, num_hidden_layers - first_k_dense_replace MoE layers."""

import dataclasses

from solutions.deepseek.config import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.config import count_parameters as _correct


def count_parameters(config: DeepSeekConfig) -> tuple[int, int]:
    return _correct(dataclasses.replace(config,
                                        first_k_dense_replace=config.first_k_dense_replace + 1))
