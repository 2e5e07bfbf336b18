"""Day 41 — distributed/zero: a ZeRO-1 sharded optimizer.

Data-parallel training keeps a full copy of the model on every rank, and with Adam a full copy
of the optimizer state too: two more tensors the size of the model (exp_avg, exp_avg_sq).
ZeRO stage 1 (Rajbhandari et al., 2019) shards that state: every rank updates only its slice
of the parameters, keeping optimizer state for that slice alone, and one all-gather after the
update gives every rank all the new parameters again. Optimizer memory per rank falls as
1/world_size; the result is the unsharded optimizer's, element for element.

The code runs inside an initialised process group: rank = dist.get_rank() and
W = dist.get_world_size() of the default group. N = the total number of parameter elements.
"The flat vector" is every parameter flattened row-major (p.reshape(-1)) and concatenated in
the order `params` gave them.

Write:
    shard_range(numel, world_size, rank) -> tuple[int, int]
        (start, stop): the elements [start, stop) of a flat vector of `numel` elements that
        `rank` owns, split as torch.tensor_split splits: contiguous, in rank order, the first
        numel % world_size ranks own one element more than the others (sizes
        ceil(numel/W) then floor(numel/W)). 10 over 4 ranks: (0, 3), (3, 6), (6, 8), (8, 10).
        When numel < world_size the last ranks own nothing: start == stop. Plain Python ints,
        exact for any numel (past 2**53 too: no float division, no allocation of numel elements);
        no communication (it may be called outside a process group). 0 <= rank < world_size.

    ZeroOptimizer(params, optimizer_cls, **kwargs)
        params: an iterable of tensors (it may be a generator: read it once), the model's
            parameters, all of one dtype and one device; no parameters, or a mix of dtypes
            or devices, raises ValueError.
        optimizer_cls, kwargs: a torch.optim optimizer class and its options, e.g.
            ZeroOptimizer(model.parameters(), torch.optim.AdamW, lr=1e-3, weight_decay=0.1).
        Attributes:
        optimizer: optimizer_cls([shard], **kwargs), the inner optimizer. `shard` is a new
            leaf tensor (its own storage, not a view of the parameters or of a full-size
            buffer) of stop - start elements, requires_grad=True, holding elements
            [start, stop) = shard_range(N, W, rank) of the flat vector (after every step
            too). Its param_groups are where a learning-rate schedule sets "lr". Built once,
            by the constructor: a schedule may wrap it before the first step.
        step() -> None, under torch.no_grad():
            1. Every parameter must have a .grad (else ValueError naming the parameter's
               index in params: a missing gradient is a bug here, not a skip; a frozen
               parameter, requires_grad=False, is still one of params), checked
               first: a step that raises changes nothing (no update, no communication). The
               gradients are the same on every rank (already averaged, e.g. by DDP):
               step does NOT reduce them; it reads only its slice [start, stop) of the
               flat gradient vector and leaves every p.grad unchanged.
            2. The inner optimizer updates the shard with that gradient slice.
            3. ONE all-gather (dist.all_gather, all_gather_into_tensor or
               all_gather_single) of the updated shards; every rank sends ceil(N / W)
               elements (its shard, zero-padded at the end to that size, since gloo's
               all-gather needs equal sizes), so the output holds W * ceil(N / W).
               Cut the padding back out of every rank's block (rank r's block holds
               shard_range(N, W, r)'s elements, then padding), and copy the result into
               the parameters IN PLACE (the same tensor objects, the same storage:
               p.copy_(...), never p.data = ...).
            No other communication: no all-reduce, no broadcast, one collective per step.
        zero_grad(set_to_none=True) -> None: like torch.optim.Optimizer.zero_grad on the
            parameters: every p.grad becomes None (or is zeroed in place when
            set_to_none=False).
        Equal to the unsharded optimizer: after every step, every rank's parameters equal
        those that optimizer_cls(params, **kwargs) gives on one process with the same
        gradients, for optimizers that update every element on its own (SGD with or
        without momentum, Adam, AdamW, ...), for any N and W (N % W != 0, and N < W, where
        some ranks own nothing, included).
        Memory: between steps the tensors this object holds (everything reachable from its
        attributes, the inner optimizer and its state included; the model's parameters and
        their .grad excluded) add up to at most (2 + s) * ceil(N / W) elements plus 64,
        where s is the number of per-element state tensors of optimizer_cls (AdamW: 2,
        exp_avg and exp_avg_sq; SGD with momentum: 1): the shard, its gradient and its
        state, nothing of the model's full size. A tensor counts with its whole storage: a
        slice of a full-size buffer keeps all of it alive. So per-rank optimizer bytes fall
        as 1/W: free the all-gather's output and any flat copy of the gradients after use.

Off limits: torch.distributed.optim.ZeroRedundancyOptimizer (and anything from
torch.distributed.optim or torch.distributed.fsdp).
Run: pytest katas/distributed/zero.py
"""

from typing import Any, Iterable

import torch


def shard_range(numel: int, world_size: int, rank: int) -> tuple[int, int]:
    """Elements [start, stop) of a flat vector of `numel` that `rank` owns (torch.tensor_split's split)."""
    raise NotImplementedError


class ZeroOptimizer:
    """ZeRO stage 1: each rank keeps optimizer state for its shard of the flattened parameters."""

    def __init__(self, params: Iterable[torch.Tensor], optimizer_cls: type, **kwargs: Any) -> None:
        """Flatten the parameters' shape information, take this rank's shard, build the inner optimizer."""
        raise NotImplementedError

    def step(self) -> None:
        """Update this rank's shard with its slice of the gradients, then all-gather the parameters."""
        raise NotImplementedError

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Set every parameter's .grad to None (or zero it in place)."""
        raise NotImplementedError
