"""Day 14 — norms/batch_norm: BatchNorm1d in train and eval mode.

Batch normalisation normalises each channel c with statistics taken ACROSS the batch:
    y = (x - mean_c) / sqrt(var_c + eps) * weight_c + bias_c

Write:
    BatchNorm1d(num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        an nn.Module with nn.BatchNorm1d's contract and state_dict.
        Input x: (N, C) or (N, C, L) with C = num_features; output: same shape, dtype and device
        (float32, or float64 after module.double(); float64 is computed in float64, outputs
        and running statistics alike, not through float32).
        The statistics of channel c are over every value of that channel: dim 0 for (N, C),
        dims 0 and 2 for (N, C, L); n = N (or N * L) values each.

        State (so it loads nn.BatchNorm1d's state_dict):
            parameters `weight` (C,) ones and `bias` (C,) zeros when affine=True
                (affine=False: no parameters, no scaling or shift);
            buffers (register_buffer) `running_mean` (C,) zeros, `running_var` (C,) ones and
                `num_batches_tracked` int64 scalar 0 when track_running_stats=True
                (track_running_stats=False: none of the three).

        Training mode (module.train(), the default):
            normalise with the batch mean and the BIASED batch variance (divide by n), and,
            when track_running_stats, update the running statistics without autograd:
                running_mean = (1 - momentum) * running_mean + momentum * batch_mean
                running_var  = (1 - momentum) * running_var  + momentum * unbiased_batch_var
                num_batches_tracked += 1
            where unbiased_batch_var divides by n - 1 (PyTorch's convention, not Keras').
            A channel with a single value (n = 1: x of (1, C) or (1, C, 1)) has no batch
            variance: raise ValueError (as nn.BatchNorm1d does) before touching any state,
            with or without track_running_stats.
            An empty batch (n = 0: x of (0, C), (0, C, L) or (N, C, 0)) is allowed in both
            modes: the output is empty, and a training step leaves running_mean and
            running_var as they are (there is nothing to average, and no NaN may reach them)
            while num_batches_tracked still counts the step, as in nn.BatchNorm1d.
            Numerics: the batch variance must stay accurate when a channel's mean is far from
            0 compared with its spread (x ~ 1000 + N(0, 1) in float32): compute it from
            x - mean, not as E[x^2] - E[x]^2.
        momentum is used exactly as given: momentum=0.0 freezes the running statistics
        (num_batches_tracked still counts); it is not "not given". So is eps: eps=0.0 means no
        eps at all (nn.BatchNorm1d refuses it in training; this module does not).
        Both live in the attributes `momentum` and `eps`, read at every forward (setting
        module.momentum = 0.01 after construction takes effect, as in nn.BatchNorm1d).
        Eval mode (module.eval()):
            normalise with running_mean and running_var and change no state;
            without running statistics (track_running_stats=False) use the batch statistics.

Off limits: F.batch_norm, torch.batch_norm, nn.BatchNorm1d/2d/3d, torch.native_batch_norm
(aten native_batch_norm, _native_batch_norm_legit and friends), and the other normalisation
built-ins that would do the work on rearranged rows: F.layer_norm, F.group_norm,
F.instance_norm (and their torch.* / nn.* forms).
torch.mean, torch.var(correction=0 or 1), torch.rsqrt etc. are fine.
Gradients flow through ordinary autograd. The input must not be modified.
Run: pytest katas/norms/batch_norm.py
"""

import torch
import torch.nn as nn


class BatchNorm1d(nn.Module):
    """nn.BatchNorm1d's contract: batch statistics in train mode, running ones in eval."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 affine: bool = True, track_running_stats: bool = True):
        super().__init__()
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (N, C) or (N, C, L) -> same shape."""
        raise NotImplementedError
