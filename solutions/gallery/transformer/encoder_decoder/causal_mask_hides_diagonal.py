"""Causal mask off by one: torch.ones(T, T, dtype=torch.bool).triu() (no diagonal offset) also
hides each position from itself, so position 0 has no key left at all and every other position
attends only to the strict past; the logits differ from training's causal mask (which hides
j > i only, i.e. .triu(1)).

Fix: torch.ones(T, T, dtype=torch.bool).triu(1): True strictly above the diagonal."""

import torch

from solutions.transformer.encoder_decoder import *  # noqa: F401,F403 (the rest is correct)


@torch.no_grad()
def greedy_decode(model, src, bos_id, eos_id, max_len, src_key_padding_mask=None):
    B = src.shape[0]
    memory = model.encode(src, src_key_padding_mask=src_key_padding_mask)
    ys = torch.full((B, 1), bos_id, dtype=torch.long, device=src.device)
    finished = torch.zeros(B, dtype=torch.bool, device=src.device)
    while ys.shape[1] < max_len and not bool(finished.all()):
        T = ys.shape[1]
        causal = torch.ones(T, T, dtype=torch.bool, device=src.device).triu()  # wrong: hides i itself
        logits = model.decode(ys, memory, tgt_mask=causal,
                              memory_key_padding_mask=src_key_padding_mask)
        next_token = logits[:, -1].argmax(dim=-1).masked_fill(finished, eos_id)
        ys = torch.cat([ys, next_token[:, None]], dim=1)
        finished |= next_token == eos_id
    return ys
