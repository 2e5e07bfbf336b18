"""Rows keep decoding after their eos: appending every row's argmax at every step, without
remembering which rows are finished, puts arbitrary tokens after a row's eos (and a later eos
may appear there too). A finished row's remaining positions must be filled with eos_id: keep a
`finished` flag per row, set it when the row emits eos_id, and write eos_id where it is set."""

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
        causal = torch.ones(T, T, dtype=torch.bool, device=src.device).triu(1)
        logits = model.decode(ys, memory, tgt_mask=causal, memory_key_padding_mask=src_key_padding_mask)
        next_token = logits[:, -1].argmax(dim=-1)  # wrong: finished rows are not padded
        ys = torch.cat([ys, next_token[:, None]], dim=1)
        finished |= next_token == eos_id
    return ys
