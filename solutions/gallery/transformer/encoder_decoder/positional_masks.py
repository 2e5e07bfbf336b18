"""Masks passed to model.decode positionally: model.decode(ys, memory, causal, padding) works
only for a model whose third and fourth parameters happen to be tgt_mask and
memory_key_padding_mask; on a decode(tgt, memory, tgt_mask, memory_mask, ...) signature the
padding lands on memory_mask. The contract calls the model with keyword arguments.

Fix: model.decode(ys, memory, tgt_mask=causal, memory_key_padding_mask=src_key_padding_mask)
and model.encode(src, src_key_padding_mask=src_key_padding_mask)."""

import torch

from solutions.transformer.encoder_decoder import *  # noqa: F401,F403 (the rest is correct)


@torch.no_grad()
def greedy_decode(model: Any, src: torch.Tensor, bos_id: int, eos_id: int, max_len: int,
                  src_key_padding_mask: torch.Tensor | None = None) -> torch.Tensor:
    """src (B, S) int64 -> (B, T_out) int64: bos, then argmax tokens until eos (rows padded with eos)."""
    B = src.shape[0]
    memory = model.encode(src, src_key_padding_mask)  # wrong: positional
    ys = torch.full((B, 1), bos_id, dtype=torch.long, device=src.device)
    finished = torch.zeros(B, dtype=torch.bool, device=src.device)
    while ys.shape[1] < max_len and not bool(finished.all()):
        T = ys.shape[1]
        causal = torch.ones(T, T, dtype=torch.bool, device=src.device).triu(1)  # hide the future
        logits = model.decode(ys, memory, causal, src_key_padding_mask)  # wrong: positional
        next_token = logits[:, -1].argmax(dim=-1)
        next_token = next_token.masked_fill(finished, eos_id)  # finished rows: pad with eos
        ys = torch.cat([ys, next_token[:, None]], dim=1)
        finished |= next_token == eos_id
    return ys
