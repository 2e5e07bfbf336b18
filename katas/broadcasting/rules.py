"""Day 2 — broadcasting/rules: the broadcasting rules, and broadcasting without a copy.

Write:
    broadcast_shapes(*shapes) -> tuple[int, ...]: the shape that tensors of these shapes
        broadcast to, like torch.broadcast_shapes (a torch.Size is fine: it is a tuple); its
        sizes are plain Python ints (not 0-dim tensors).
        Each shape is a tuple of positive ints (size-0 dims are not tested); any number of
        shapes, including none (the result is then ()).
        Rule: align the shapes at their LAST dim (pad the shorter ones with 1s on the left);
        two sizes are compatible when they are equal or one of them is 1, and the result takes
        the other one. Anything else raises ValueError whose message names both sizes, e.g.
        "cannot broadcast (2, 3) with (4,): size 3 vs 4".
        It is plain Python arithmetic on the sizes: no tensors (not even meta ones: adding
        empty tensors only to read the result's shape is torch broadcasting for you), no numpy.
    broadcast_to(x, shape) -> a tensor of shape `shape` with x's values broadcast over it,
        like torch.broadcast_to, WITHOUT copying: the result is a view that shares x's storage,
        with stride 0 along every broadcast dim (a new leading dim, or a size-1 dim of x that
        grows). `shape` is a tuple of positive ints; raise ValueError when x cannot be broadcast
        to it (a size of x that is neither 1 nor the target size, or more dims than `shape`).
        x may be non-contiguous, a view with a storage offset, or itself broadcast (stride 0),
        of any dtype. The result is differentiable w.r.t. x, like torch.broadcast_to's: the
        gradient reaching x sums over the broadcast positions (as_strided does this for you).

Off limits: torch.broadcast_shapes, torch.broadcast_to, torch.broadcast_tensors,
    torch.Tensor.expand, torch.Tensor.expand_as, and numpy's broadcast_shapes, broadcast,
    broadcast_arrays and broadcast_to (you are writing them). torch.Tensor.as_strided
    is allowed: it is the tool for broadcast_to.
Inputs must not be modified.
Run: pytest katas/broadcasting/rules.py
"""

import torch


def broadcast_shapes(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    """The common broadcast shape of `shapes`; ValueError naming both sizes if incompatible."""
    raise NotImplementedError


def broadcast_to(x: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    """A stride-0 view of x with shape `shape` (no copy); ValueError if impossible."""
    raise NotImplementedError
