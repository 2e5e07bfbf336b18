"""Half-precision activations and gradients travel as float32 ("gloo-safe"): the sender upcasts
float16/bfloat16 tensors and the receiver allocates a float32 buffer and casts it back, so the
values arrive but every message is twice activation_shape x dtype bytes.

Fix: send the tensor in dtype as it is (.contiguous()) and receive into torch.empty(
activation_shape, dtype=dtype)."""

from __future__ import annotations

from typing import Callable

import torch
import torch.distributed as dist
from torch import nn


def partition(num_layers: int, world_size: int) -> list[range]:
    """Stage r's contiguous layer indices; earlier stages take the extra layers."""
    if world_size < 1 or num_layers < world_size:
        raise ValueError(f"cannot split {num_layers} layers into {world_size} stages: "
                         "every stage needs at least one layer")
    base, extra = divmod(num_layers, world_size)
    stages, start = [], 0
    for r in range(world_size):
        size = base + (1 if r < extra else 0)
        stages.append(range(start, start + size))
        start += size
    return stages


def pipeline_step(stage: nn.Module, inputs: torch.Tensor | None, targets: torch.Tensor | None,
                  loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], *,
                  num_microbatches: int, activation_shape: tuple[int, ...],
                  schedule: str = "1f1b", dtype: torch.dtype = torch.float32) -> torch.Tensor | None:
    """One step's forwards and backwards on this rank's stage; the mean loss on the last rank."""
    if schedule not in ("gpipe", "1f1b"):
        raise ValueError(f"unknown schedule {schedule!r}: use 'gpipe' or '1f1b'")
    rank, world = dist.get_rank(), dist.get_world_size()
    first, last, M = rank == 0, rank == world - 1, num_microbatches
    micro_inputs = inputs.chunk(M) if first else None
    micro_targets = targets.chunk(M) if last else None
    in_flight = []   # (input, output) of each micro-batch between its forward and backward
    sends = []       # isend handles (and their tensors), waited at the end
    losses = []

    def send(tensor, peer):
        tensor = tensor.detach().contiguous()
        if tensor.dtype in (torch.float16, torch.bfloat16):
            tensor = tensor.float()                          # gloo-safe wire format
        sends.append((dist.isend(tensor, peer), tensor))   # never blocks: no deadlock

    def recv(peer):
        wire = torch.float32 if dtype in (torch.float16, torch.bfloat16) else dtype
        buffer = torch.empty(activation_shape, dtype=wire)
        dist.recv(buffer, peer)
        return buffer.to(dtype)

    def forward(i):
        x = micro_inputs[i] if first else recv(rank - 1).requires_grad_()
        y = stage(x)
        if last:
            loss = loss_fn(y, micro_targets[i])
            losses.append(loss.detach())
            y = loss / M
        else:
            send(y, rank + 1)
        in_flight.append((x, y))

    def backward():
        x, y = in_flight.pop(0)                             # the oldest micro-batch
        if last:
            y.backward()
        else:
            torch.autograd.backward(y, recv(rank + 1))
        if not first:
            send(x.grad, rank - 1)

    if schedule == "gpipe":
        for i in range(M):
            forward(i)
        for _ in range(M):
            backward()
    else:
        warmup = min(world - rank - 1, M)
        for i in range(warmup):
            forward(i)
        for i in range(warmup, M):
            forward(i)
            backward()
        for _ in range(warmup):
            backward()

    for handle, _ in sends:
        handle.wait()
    return torch.stack(losses).mean() if last else None
