"""Pipeline step with a deque of in-flight micro-batches, torch.split by size, irecv().wait()
receives, and backward through torch.autograd.grad on (input, parameters) with the parameter
gradients accumulated into .grad by hand."""

from __future__ import annotations

from collections import deque
from typing import Callable

import torch
import torch.distributed as dist
from torch import nn


def partition(num_layers: int, world_size: int) -> list[range]:
    if world_size < 1 or num_layers < world_size:
        raise ValueError(f"{num_layers} layers, {world_size} stages: need num_layers >= world_size >= 1")
    q, rem = divmod(num_layers, world_size)
    bounds = [0]
    for r in range(world_size):
        bounds.append(bounds[-1] + q + (r < rem))
    return [range(a, b) for a, b in zip(bounds, bounds[1:])]


def pipeline_step(stage, inputs, targets, loss_fn, *, num_microbatches, activation_shape,
                  schedule="1f1b", dtype=torch.float32):
    if schedule == "gpipe":
        gpipe = True
    elif schedule == "1f1b":
        gpipe = False
    else:
        raise ValueError(f"schedule {schedule!r} is not 'gpipe' or '1f1b'")
    r, W, M = dist.get_rank(), dist.get_world_size(), num_microbatches
    is_first, is_last = r == 0, r == W - 1
    if is_first:
        xs = torch.split(inputs, inputs.shape[0] // M)
    if is_last:
        ts = torch.split(targets, targets.shape[0] // M)
    params = [p for p in stage.parameters() if p.requires_grad]
    queue, handles, losses = deque(), [], []

    def receive(peer):
        buf = torch.empty(*activation_shape, dtype=dtype)
        dist.irecv(buf, src=peer).wait()
        return buf

    def fwd(i):
        x = xs[i] if is_first else receive(r - 1).requires_grad_(True)
        out = stage(x)
        if is_last:
            loss = loss_fn(out, ts[i])
            losses.append(loss.detach())
            out = loss / M
        else:
            payload = out.detach().clone(memory_format=torch.contiguous_format)
            handles.append((dist.isend(payload, dst=r + 1), payload))
        queue.append((x, out))

    def bwd():
        x, out = queue.popleft()
        grad_out = None if is_last else receive(r + 1)
        wants_x = not is_first
        targets_ = ([x] if wants_x else []) + params
        grads = torch.autograd.grad(out, targets_, grad_outputs=grad_out, allow_unused=True)
        if wants_x:
            gx, grads = grads[0], grads[1:]
            payload = gx.contiguous()
            handles.append((dist.isend(payload, dst=r - 1), payload))
        for p, g in zip(params, grads):
            if g is None:
                continue
            if p.grad is None:
                p.grad = g.clone()
            else:
                p.grad += g

    if gpipe:
        for i in range(M):
            fwd(i)
        for _ in range(M):
            bwd()
    else:
        w = min(W - r - 1, M)
        nxt = 0
        for _ in range(w):
            fwd(nxt); nxt += 1
        while nxt < M:
            fwd(nxt); nxt += 1
            bwd()
        while queue:
            bwd()
    for h, _ in handles:
        h.wait()
    return torch.stack(losses).mean() if is_last else None
