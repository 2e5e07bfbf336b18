"""Shared by the fixture scripts: several state dicts stored as views into one buffer."""

from __future__ import annotations

import torch


def pack_state_dicts(weights: dict[str, dict[str, torch.Tensor]]) -> tuple[dict, int]:
    """({name: state dict of views}, element count): one buffer holding every distinct tensor
    once (tied or shared tensors are stored once), in the tensors' common dtype."""
    unique: dict[int, torch.Tensor] = {}
    for sd in weights.values():
        for t in sd.values():
            unique.setdefault(id(t), t)
    flat = torch.cat([t.flatten() for t in unique.values()])
    offsets, at = {}, 0
    for key, t in unique.items():
        offsets[key] = at
        at += t.numel()
    packed = {name: {k: flat[offsets[id(t)]: offsets[id(t)] + t.numel()].view(t.shape) for k, t in sd.items()}
              for name, sd in weights.items()}
    return packed, flat.numel()
