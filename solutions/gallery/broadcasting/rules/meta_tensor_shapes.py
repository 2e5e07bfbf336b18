"""broadcast_shapes read off torch itself: add empty tensors of every shape on the meta device
(no memory) and return the sum's shape, re-raising torch's RuntimeError as ValueError. It
gives the right shapes, but the broadcasting is done by torch's add, not by the learner's
rule; the contract says broadcast_shapes is plain Python arithmetic on the sizes.

Fix: align the shapes at their last dim (pad with 1s on the left), then walk the dims: equal
sizes or a 1 take the other size, anything else raises ValueError naming both sizes."""

import torch

from solutions.broadcasting.rules import *  # noqa: F401,F403 (the rest is correct)


def broadcast_shapes(*shapes):
    out = torch.empty((), device="meta")
    for shape in shapes:
        try:
            out = out + torch.empty(shape, device="meta")
        except RuntimeError as err:
            raise ValueError(str(err)) from None
    return tuple(out.shape)
