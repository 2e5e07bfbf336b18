"""ColumnParallelLinear's all_reduce_input_grad defaults to False: built as
ColumnParallelLinear(linear), the layer leaves x's gradient as this rank's partial sum, so a
plain column-parallel layer (the contract's default) trains on the wrong input gradient.

Fix: def __init__(self, linear, all_reduce_input_grad=True, block=1)."""

from torch import nn

import solutions.distributed.tensor_parallel as _reference
from solutions.distributed.tensor_parallel import *  # noqa: F401,F403 (the rest is correct)


class ColumnParallelLinear(_reference.ColumnParallelLinear):
    def __init__(self, linear: nn.Linear, all_reduce_input_grad: bool = False, block: int = 1) -> None:
        super().__init__(linear, all_reduce_input_grad, block)
