"""Day 42 — distributed/fsdp: fully sharded data parallelism, one layer at a time.

ZeRO-1 shards the optimizer state; FSDP (ZeRO stage 3) shards the parameters themselves.
At rest every rank holds 1/W of each layer's parameters. Running a layer, every rank
all-gathers that layer's full parameters, uses them and frees them before the next layer;
backward gathers them once more, computes the layer's gradients and reduce-scatters them, so
each rank ends up with the averaged gradient of its own shard only. An ordinary optimizer
over the shards then trains the model: the result is single-process training on the whole
batch, with peak parameter memory of about one layer instead of the whole model.

The code runs inside an initialised process group: rank = dist.get_rank() and
W = dist.get_world_size() of the default group. Every rank holds a different slice of the
batch (data parallelism) and calls forward and backward on it.

Write:
    FSDP(model) -> nn.Module, for model an nn.Sequential (the same values on every rank).
        Units: every child of `model`, in order, is one unit (a child holding several layers,
        an nn.Sequential block, is ONE unit, not one per layer). A unit's flat vector is its
        parameters (in its .parameters() order) flattened row-major and concatenated: P
        elements, zero-padded at the end to W * S elements, S = ceil(P / W). Rank r keeps
        elements [r * S, (r + 1) * S) of it: its shard.
        parameters(): exactly one nn.Parameter per unit that has parameters, in model order:
            that unit's shard (S elements, 1-D, the parameters' dtype and device). Nothing
            else: the layers' own full parameters are not parameters of the FSDP module, and
            it keeps no full-size copy of them (move the layers' structure to the meta
            device, or keep only shapes). So torch.optim.AdamW(fsdp.parameters()) is a
            sharded optimizer. A child with no parameters (nn.Tanh, nn.GELU) is a unit with
            no shard: it runs as it is, with no communication.
        forward(x) -> the output of model(x), computed one unit at a time:
            1. all-gather the unit's shards (ONE all-gather per unit: dist.all_gather,
               all_gather_into_tensor or all_gather_single; every rank sends its S
               elements) into the padded flat vector, and view its first P elements as
               the layer's parameters (torch.func.functional_call runs a layer with given
               ones);
            2. run the layer;
            3. free the gathered parameters before the next unit's all-gather: nothing
               autograd saves may keep them alive until backward (save the unit's input,
               not its parameters; backward gathers them again).
        backward (of a loss computed from the output), for each unit with parameters, last
            unit first:
            1. all-gather the unit's parameters again (ONE all-gather per unit);
            2. compute the gradients of the unit's input and of its parameters (recomputing
               the layer's forward from its saved input is fine: layers are deterministic);
               an input may have no gradient: integer token ids into an nn.Embedding unit;
            3. ONE reduce-scatter per unit (dist.reduce_scatter, reduce_scatter_tensor
               or reduce_scatter_single) of the padded flat gradient (W * S elements in the
               parameters' dtype, like every collective here, no float32 upcast; the
               padding's gradient is 0), summed over ranks and divided by W: the average of
               the ranks' gradients. Rank r's part, [r * S, (r + 1) * S), is its shard's
               gradient, accumulated into shard.grad like any autograd gradient (added
               when .grad already holds one).
            forward may run more than once before one backward (micro-batches summed into one
            loss): each call's backward uses that call's own saved input, as autograd does.
            So the gradient of the input x comes out as in single-process autograd, and a
            training step costs per unit with parameters: 2 all-gathers of S elements sent
            and 1 reduce-scatter of W * S elements sent; no all-reduce, no broadcast. Under
            torch.no_grad(), forward makes only the one all-gather per unit.
        Equal to single-process training: with every rank's loss the mean over its own
            equal-sized slice of the batch, the averaged shard gradients are the slices of
            the gradient of the mean loss over the whole batch, and any torch.optim
            optimizer stepping fsdp.parameters() trains exactly like the same optimizer on
            the unsharded model with the whole batch: every shard equals the matching slice
            of the single-process model's padded flat vector (its padding stays 0 with
            SGD, Adam, AdamW), for W = 2 and 4 and P % W != 0.
        Memory: at rest (between steps, gradients cleared), a rank holds the shards only:
            every tensor reachable from the module, its attributes included, adds up to at
            most sum(S) + 64 elements (meta tensors hold no memory and do not count): no
            gathered vector, nor a gather buffer reused for every unit, outlives its use. While
            forward and backward run, at most the parameters of the unit that is running
            (and the next, when prefetched) are gathered. Measured on a model of 10 equal
            Linear units and a batch of one row: the tensors allocated during forward peak
            at no more than 4 units' padded parameter bytes (the running unit, a copy
            made while gathering it, the next one prefetched, and the activations), those
            allocated during backward at no more than 6 units above the shard gradients;
            keeping every unit's gathered parameters from forward to backward, or gathering
            them all up front, needs 10.
        The wrapped `model`'s layers may be changed (moved to meta) by FSDP: callers pass a
        model they do not need afterwards.

Off limits: torch.distributed.fsdp (FullyShardedDataParallel, fully_shard) and
torch.distributed._composable.
Run: pytest katas/distributed/fsdp.py
"""

import torch
from torch import nn


class FSDP(nn.Module):
    """Fully sharded data parallel over the children of an nn.Sequential, one unit per child."""

    def __init__(self, model: nn.Sequential) -> None:
        """Keep this rank's shard of every child's flat parameter vector; free the full parameters."""
        super().__init__()
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Run the units in order, each with its parameters all-gathered for the call."""
        raise NotImplementedError
