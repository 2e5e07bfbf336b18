"""Day 39 — distributed/collectives: all-reduce, all-gather and reduce-scatter built from
send and recv with the ring algorithm.

Every function runs on every rank of the default process group (torch.distributed is
initialised: W = dist.get_world_size(), r = dist.get_rank()), is called by all ranks with
tensors of the same shape and dtype (any shape, 0-d included; any dtype gloo sends:
floating and integer), and returns a NEW tensor: the input is left unchanged. Inputs may be
non-contiguous (dist.send wants a contiguous tensor: send a contiguous copy).

Split: a flat tensor of N elements is cut into W chunks as torch.tensor_split(flat, W) cuts
it: chunk i has N // W + 1 elements for i < N % W, else N // W (sizes differ by at most one,
larger chunks first; chunks are empty when N < W).

The ring: rank r sends only to its right neighbour (r + 1) % W and receives only from its
left neighbour (r - 1) % W, one chunk per message; in each step every rank sends one chunk
and receives one. A blocking dist.send waits until the matching recv is posted, so if every
rank sends first the ring deadlocks: use dist.isend (and wait() on its handle before you
return) with a blocking dist.recv, or order send/recv by rank parity.

Write:
    ring_all_reduce(tensor) -> Tensor: every rank gets the element-wise SUM of all ranks'
        tensors (same shape and dtype as the input; what dist.all_reduce computes in place).
        Reduce-scatter phase, W - 1 steps: step s sends chunk (r - s) % W and adds the
        received chunk (r - s - 1) % W into its own copy; afterwards rank r holds the full sum
        of chunk (r + 1) % W. All-gather phase, W - 1 steps: pass the summed chunks around,
        replacing instead of adding. Volume: every rank sends 2 (W - 1) messages and receives
        2 (W - 1), each one chunk (N // W or N // W + 1 elements; when N < W, the messages of
        empty chunks may be left out); all ranks together send
        exactly 2 (W - 1) N elements: about 2 (W - 1) / W x N per rank, which stays below
        twice the tensor however many ranks join (sending the whole tensor to every rank costs
        (W - 1) N per rank).
    ring_all_gather(tensor) -> Tensor: the tensors of ranks 0..W-1 concatenated along dim 0,
        shape (W * tensor.shape[0], *tensor.shape[1:]) (a 0-d tensor counts as shape (1,): the
        result has shape (W,)); like dist.all_gather_into_tensor. W - 1 steps: step s sends
        block (r - s) % W (the input of that rank) and receives block (r - s - 1) % W. Volume:
        every rank sends and receives W - 1 messages, each a whole input tensor.
    ring_reduce_scatter(tensor) -> Tensor: tensor (at least one dimension) is split along
        dim 0 into W blocks of rows, as torch.tensor_split(tensor, W, dim=0) splits it; rank
        r gets the SUM over ranks of block r: shape (rows of block r, *tensor.shape[1:]), with
        zero rows when tensor.shape[0] < W leaves block r empty. A 0-d tensor raises
        ValueError("ring_reduce_scatter needs a tensor with at least one dimension"). W - 1
        steps: step s sends block (r - s - 1) % W and adds the received block (r - s - 2) % W.
        Volume: every rank sends and receives W - 1 messages, each one block (when
        tensor.shape[0] < W, the messages of empty blocks may be left out); all ranks
        together send exactly (W - 1) x tensor.numel() elements.

With W = 1 each function returns a copy (reduce-scatter: the whole tensor) and sends
nothing; a tensor with no elements is returned as an empty tensor of the result's shape,
with no messages.
Off limits: every torch.distributed collective (all_reduce, all_gather*, reduce_scatter*,
broadcast, reduce, all_to_all*, gather, scatter, barrier...): only send, recv, isend and
irecv. Every isend/irecv handle is waited before the function returns.
Run: pytest katas/distributed/collectives.py
"""

import torch
import torch.distributed as dist


def ring_all_reduce(tensor: torch.Tensor) -> torch.Tensor:
    """The element-wise sum over all ranks, by a ring of send/recv (reduce-scatter, all-gather)."""
    raise NotImplementedError


def ring_all_gather(tensor: torch.Tensor) -> torch.Tensor:
    """Every rank's tensor, concatenated along dim 0 in rank order, by a ring of send/recv."""
    raise NotImplementedError


def ring_reduce_scatter(tensor: torch.Tensor) -> torch.Tensor:
    """Rank r's block (tensor_split along dim 0) of the sum over ranks, by a ring of send/recv."""
    raise NotImplementedError
