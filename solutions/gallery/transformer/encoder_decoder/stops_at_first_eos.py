"""Decoding stops as soon as ANY row produces eos_id: `if (next_token == eos_id).any(): break`
cuts every other row of the batch short, so a sentence's translation depends on which other
sentences were decoded with it.

Fix: keep a `finished` flag per row and stop only when every row is finished (or rows are
max_len long)."""

import torch

from solutions.transformer.encoder_decoder import *  # noqa: F401,F403 (the rest is correct)


@torch.no_grad()
def greedy_decode(model, src, bos_id, eos_id, max_len, src_key_padding_mask=None):
    B = src.shape[0]
    memory = model.encode(src, src_key_padding_mask=src_key_padding_mask)
    ys = torch.full((B, 1), bos_id, dtype=torch.long, device=src.device)
    while ys.shape[1] < max_len:
        T = ys.shape[1]
        causal = torch.ones(T, T, dtype=torch.bool, device=src.device).triu(1)
        logits = model.decode(ys, memory, tgt_mask=causal,
                              memory_key_padding_mask=src_key_padding_mask)
        next_token = logits[:, -1].argmax(dim=-1)
        ys = torch.cat([ys, next_token[:, None]], dim=1)
        if bool((next_token == eos_id).any()):  # wrong: the other rows are not done
            break
    return ys
