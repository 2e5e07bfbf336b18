"""Day 8 — layers/embedding: an Embedding table and Dropout.

Write:
    Embedding(num_embeddings, embedding_dim, padding_idx=None) — an nn.Module equivalent to
        nn.Embedding.
        Parameter (registered; state_dict key "weight"):
            weight: (num_embeddings, embedding_dim) float32, initialised from N(0, 1) like
                nn.Embedding, except that the row padding_idx (when given) starts at zero.
                float32 being torch's default dtype: like nn.Embedding's, it is made in the
                default dtype (float64 under torch.set_default_dtype(torch.float64)), so no
                explicit dtype=.
                Drawn from torch's global random generator (like nn.Embedding), so every
                new table is different and torch.manual_seed(s) makes the init repeatable.
        forward(idx): idx int64 of any shape (values in [0, num_embeddings)) ->
            idx.shape + (embedding_dim,), row idx[...] of weight for every index.
        padding_idx (None or an int in [0, num_embeddings)): the forward still returns
            whatever row padding_idx of weight holds (zeros unless a state_dict put something
            else there), but that row never receives a gradient: weight.grad[padding_idx] is
            all zeros whatever the upstream gradient, so training never moves the pad vector.
            Every other row accumulates the gradients of all its occurrences, like nn.Embedding.
        A state_dict saved from nn.Embedding loads into your Embedding unchanged. Like
        nn.Embedding it works on any device after .to(device): anything forward or backward
        builds (a pad mask, an index tensor) lives on the weight's device.

    Dropout(p) — an nn.Module equivalent to nn.Dropout(p), 0 <= p <= 1. The rate is the
        attribute p, read at every call like nn.Dropout's (drop.p = 0.0 turns a built module off).
        In training mode (module.train(), the default for a new module; the mode is
            self.training, not torch's grad mode, so under torch.no_grad() too): zero each element
            independently with probability p and scale the survivors by 1 / (1 - p), so the
            expected output equals the input ("inverted dropout"). Draw a fresh mask on every
            call (from torch's global random generator). p = 0: output equals the input.
            p = 1: output is all zeros (no NaN), still computed from x so that
            the gradient (all zeros) flows back to x like at any other p.
        In eval mode (module.eval()): the identity, output equals the input exactly.
        Output has x's shape, dtype and device (also for size-0 and 0-d x); the gradient
        flows through the same mask and scale.

Off limits: torch.nn.Embedding, torch.nn.functional.embedding, torch.embedding (index the
weight yourself); torch.nn.Dropout, torch.nn.functional.dropout, torch.dropout,
torch.native_dropout (draw the mask yourself, e.g. with torch.rand or torch.bernoulli).
Inputs must not be modified.
Run: pytest katas/layers/embedding.py
"""

import torch
from torch import nn


class Embedding(nn.Module):
    """A lookup table: idx (...) int64 -> (..., embedding_dim)."""

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None):
        raise NotImplementedError

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        """idx (...) int64 -> (..., embedding_dim)."""
        raise NotImplementedError


class Dropout(nn.Module):
    """Inverted dropout: zero with probability p, scale by 1 / (1 - p) in training."""

    def __init__(self, p: float):
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (...) -> (...) same shape and dtype."""
        raise NotImplementedError
