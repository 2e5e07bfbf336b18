"""The schedule computed up front as a list of actions ('F', i) / ('B', i), then executed;
activations and gradients kept in dicts keyed by micro-batch; isend for every send."""

from __future__ import annotations

import torch
import torch.distributed as dist


def partition(num_layers, world_size):
    if world_size <= 0 or num_layers < world_size:
        raise ValueError(f"{num_layers} layers over {world_size} stages leaves a stage empty")
    q, rem = divmod(num_layers, world_size)
    bounds = [0]
    for r in range(world_size):
        bounds.append(bounds[-1] + q + (r < rem))
    return [range(bounds[r], bounds[r + 1]) for r in range(world_size)]


def _actions(schedule, world, rank, M):
    if schedule == "gpipe":
        return [("F", i) for i in range(M)] + [("B", i) for i in range(M)]
    warm = min(world - rank - 1, M)
    acts = [("F", i) for i in range(warm)]
    for i in range(warm, M):
        acts += [("F", i), ("B", i - warm)]
    return acts + [("B", i) for i in range(M - warm, M)]


def pipeline_step(stage, inputs, targets, loss_fn, *, num_microbatches, activation_shape,
                  schedule="1f1b", dtype=torch.float32):
    if schedule not in {"gpipe", "1f1b"}:
        raise ValueError(f"schedule must be 'gpipe' or '1f1b', got {schedule!r}")
    r, W, M = dist.get_rank(), dist.get_world_size(), num_microbatches
    xs, ys, handles, losses = {}, {}, [], []
    for kind, i in _actions(schedule, W, r, M):
        if kind == "F":
            if r == 0:
                x = inputs.chunk(M)[i]
            else:
                x = torch.empty(activation_shape, dtype=dtype)
                dist.recv(x, src=r - 1)
                x.requires_grad_(True)
            y = stage(x)
            if r == W - 1:
                l = loss_fn(y, targets.chunk(M)[i])
                losses.append(l.detach())
                y = l / M
            else:
                out = y.detach().clone(memory_format=torch.contiguous_format)  # send needs contiguous
                handles.append((dist.isend(out, dst=r + 1), out))
            xs[i], ys[i] = x, y
        else:
            x, y = xs.pop(i), ys.pop(i)
            if r == W - 1:
                y.backward()
            else:
                g = torch.empty(activation_shape, dtype=dtype)
                dist.recv(g, src=r + 1)
                y.backward(g)
            if r > 0:
                gx = x.grad.detach().clone(memory_format=torch.contiguous_format)
                handles.append((dist.isend(gx, dst=r - 1), gx))
    for h, _ in handles:
        h.wait()
    if r == W - 1:
        return sum(losses) / M
    return None
