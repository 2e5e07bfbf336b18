"""Day 40 — distributed/ddp: data parallelism with gradient buckets that all-reduce while
backward is still running.

Every rank holds a full copy of the model and a different slice of the batch. After
backward, the ranks' gradients are averaged, so that every rank takes the same optimizer
step: the step of single-process training on the concatenated batch (with a mean loss and
equal local batches, the mean of the ranks' gradients IS the full batch's gradient). The
torch.distributed default process group is initialised (W = dist.get_world_size()).

Write:
    DDP(module, bucket_bytes): an nn.Module wrapping `module` (kept as self.module).
        - bucket_bytes <= 0 raises ValueError("bucket_bytes must be positive, got
          <bucket_bytes>"), before any communication.
        - Construction broadcasts every parameter and every buffer of module from rank 0
          (dist.broadcast(..., src=0), in place, under torch.no_grad()), so all ranks start
          from rank 0's values whatever their own initialisation, exactly, in each tensor's
          own dtype (int64 buffers past 2**53 included).
        - Buckets: the parameters with requires_grad=True, taken in REVERSE order of
          module.parameters() (roughly the order backward produces their gradients), are
          grouped greedily: a parameter joins the current bucket unless the bucket's gradient
          bytes (numel x element size) would then exceed bucket_bytes, in which case it starts
          a new bucket; a parameter larger than bucket_bytes gets a bucket of its own. Frozen
          parameters (requires_grad=False) are in no bucket: their .grad stays None.
        - Hooks: a gradient hook on each bucketed parameter
          (param.register_post_accumulate_grad_hook) notes its gradient as ready; when every
          parameter of a bucket is ready, the hook flattens the bucket's gradients into one
          tensor and launches ONE dist.all_reduce of it with async_op=True, keeping the handle.
          Nothing waits inside backward: the all-reduces run while backward goes on.
        forward(*args, **kwargs) -> self.module(*args, **kwargs) (no communication).
        finish_gradient_synchronization() -> None: call it after loss.backward() and before
            optimizer.step(): waits every handle launched in this backward, then writes each
            parameter's gradient back as the bucket's SUM divided by W (the average), in
            param.grad (same shape and dtype). Afterwards the next backward starts afresh
            (every bucket launches again). Buckets hold the accumulated .grad: without
            zero_grad() between steps, .grad ends as the last average plus this one's.
Volume per step: one all-reduce per bucket, each of at most bucket_bytes (or of one larger
parameter), together exactly the gradient bytes of the trainable parameters; construction
only broadcasts from rank 0, in all the bytes of the parameters and buffers once (one call
per tensor, or fewer on flattened copies); forward and finish_gradient_synchronization
communicate nothing.
A parameter may be non-contiguous (a transposed weight): its gradient has its strides.
Not promised: parameters that get no gradient in a backward (unused in forward), more than
one backward per finish_gradient_synchronization, parameters of different dtypes.
Off limits: torch.nn.parallel.DistributedDataParallel (the point is to write it).
Run: pytest katas/distributed/ddp.py
"""

import torch
import torch.distributed as dist
from torch import nn


class DDP(nn.Module):
    """Broadcast from rank 0, then bucketed async gradient all-reduce launched from hooks."""

    def __init__(self, module: nn.Module, bucket_bytes: int):
        super().__init__()
        raise NotImplementedError

    def forward(self, *args, **kwargs):
        raise NotImplementedError

    def finish_gradient_synchronization(self) -> None:
        """Wait for every bucket's all-reduce and write the averaged gradients into .grad."""
        raise NotImplementedError
