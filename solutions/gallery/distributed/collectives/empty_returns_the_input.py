"""ring_all_reduce returns the caller's own tensor when it has no elements (`if tensor.numel()
== 0: return tensor`): the promise is a NEW tensor on every call, and an empty result that
is the input itself breaks it (a later resize_ or in-place change of one is seen through
the other).

Fix: return a new empty tensor of the result's shape (tensor.clone(), torch.empty(...))."""

from solutions.distributed.collectives import *  # noqa: F401,F403 (the rest is correct)
from solutions.distributed.collectives import ring_all_reduce as _ring_all_reduce


def ring_all_reduce(tensor):
    if tensor.numel() == 0:
        return tensor
    return _ring_all_reduce(tensor)
