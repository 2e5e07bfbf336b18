"""Day 44 — distributed/pipeline: pipeline parallelism with GPipe and 1F1B schedules.

A model too deep for one device is cut into consecutive STAGES, one per rank: rank 0 runs
the first layers, rank 1 the next, ... and activations flow forward from rank r to r + 1
while gradients flow back from r + 1 to r. To keep every rank busy the batch is split into
MICRO-BATCHES that follow each other through the pipe. The SCHEDULE decides in what order a
rank runs the forwards (F) and backwards (B) of its micro-batches:
- GPipe: all M forwards, then all M backwards. Simple, but every rank keeps the autograd
  graph (the stored activations) of all M micro-batches alive at once.
- 1F1B (one forward, one backward; PipeDream-Flush, Megatron-LM): a few warm-up forwards,
  then alternate one forward and one backward, then drain the last backwards. A rank stores
  at most W - r micro-batches' activations, however large M is.
Both give exactly the gradients of ordinary training on the whole batch.

Write:
    partition(num_layers, world_size) -> list of W ranges: stage r's layer indices.
        Contiguous and in order, sizes differ by at most one, the EARLIER stages take the
        extra layers: stage r gets num_layers // W + (1 if r < num_layers % W else 0), e.g.
        partition(7, 3) == [range(0, 3), range(3, 5), range(5, 7)].
        ValueError (naming both numbers) when num_layers < world_size or world_size < 1:
        every stage needs a layer.
    pipeline_step(stage, inputs, targets, loss_fn, *, num_microbatches, activation_shape,
                  schedule="1f1b", dtype=torch.float32) -> loss tensor or None
        One training step's forwards and backwards on this rank of the default process group
        (rank r = dist.get_rank(), W = dist.get_world_size(); W = 1 works: one stage does
        everything, no communication). No optimizer step, no zero_grad: gradients are
        ACCUMULATED into the .grad of stage's parameters, as loss.backward() would.
        stage: this rank's part of the model (an nn.Module called on one micro-batch).
        inputs: the whole batch (B, ...) on rank 0 (None or ignored elsewhere); targets: the
            whole batch's targets on the last rank (None or ignored elsewhere). Both of any
            dtype (e.g. int64 token ids for an nn.Embedding, int64 classes for
            F.cross_entropy): their micro-batches go to stage 0 / loss_fn as they are, never
            cast to dtype.
        M = num_microbatches (>= 1): inputs and targets are cut into M equal micro-batches
            along dim 0 (torch.chunk / split; B = M * activation_shape[0] is the caller's
            promise, not checked). Micro-batch i is inputs.chunk(M)[i].
        activation_shape: the shape of what every stage but the last outputs for ONE
            micro-batch, and so of every activation and activation gradient passed between
            stages (the receiver needs it to allocate its buffer); dtype: their dtype. A
            stage's output may be non-contiguous (send/recv need contiguous tensors:
            .contiguous()).
        The last stage computes loss_i = loss_fn(stage_output_i, targets_i) (a mean over
            the micro-batch) and backpropagates loss_i / M, so the step's gradients equal
            those of loss_fn(model(inputs), targets).backward() on the whole batch.
            It returns the step's loss, the mean of the M loss_i, as a detached scalar
            tensor; every other rank returns None.
        Stage r > 0 receives its input activation from r - 1 (and must compute its gradient:
            requires_grad_()), and after its backward sends that gradient (x.grad) back to
            r - 1; stage r < W - 1 sends its output to r + 1, and its backward is
            torch.autograd.backward(output, grad_received_from_r_plus_1).
        Schedules (the order of F and B on rank r; backwards always in micro-batch order
            0, 1, ..., M - 1, the same order as the forwards):
            "gpipe": F0 F1 ... F(M-1), then B0 B1 ... B(M-1).
            "1f1b":  w = min(W - r - 1, M) warm-up forwards, then M - w pairs (forward of
                     the next micro-batch, then backward of the oldest), then the last w
                     backwards: e.g. W = 4, M = 6, rank 1: F F F B F B F B F B B B.
            Any other schedule: ValueError naming it, before any communication.
        Stored activations: a micro-batch's graph is kept from its forward to its
            backward. GPipe keeps M at once; 1F1B at most W - r (the specs record every
            rank's forwards and backwards and check the orders above).
        Communication: point-to-point only (dist.send/recv/isend/irecv/batch_isend_irecv),
            between neighbours only, no collective. Per step, rank r sends M activations to
            r + 1 (if r < W - 1) and M gradients to r - 1 (if r > 0), each exactly
            activation_shape x dtype, and receives as many. A blocking dist.send waits for
            the peer's recv: in 1F1B's steady state rank r sends an activation forward while
            rank r + 1 sends a gradient back, and if both sends block, both wait forever.
            Use dist.isend for sends (keep the handles and wait them before returning) or
            pair each send with the recv that follows it (batch_isend_irecv).

Off limits: none besides the communication rule.
Inputs and targets must not be modified.
Run: pytest katas/distributed/pipeline.py
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.distributed as dist
from torch import nn


def partition(num_layers: int, world_size: int) -> list[range]:
    """Stage r's contiguous layer indices; earlier stages take the extra layers."""
    raise NotImplementedError


def pipeline_step(stage: nn.Module, inputs: torch.Tensor | None, targets: torch.Tensor | None,
                  loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], *,
                  num_microbatches: int, activation_shape: tuple[int, ...],
                  schedule: str = "1f1b", dtype: torch.dtype = torch.float32) -> torch.Tensor | None:
    """One step's forwards and backwards on this rank's stage; the mean loss on the last rank."""
    raise NotImplementedError
