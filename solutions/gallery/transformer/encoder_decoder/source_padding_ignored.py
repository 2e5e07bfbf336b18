"""Source padding ignored during greedy decoding: without src_key_padding_mask the encoder
lets real tokens attend to the padding, and cross-attention reads padding positions of memory
as if they were words; the same sentence decodes differently depending on how much padding its
batch needed. Pass the mask to model.encode(src, src_key_padding_mask=...) AND to every
model.decode(..., memory_key_padding_mask=...)."""

import torch

from solutions.transformer.encoder_decoder import *  # noqa: F401,F403 (the rest is correct)


@torch.no_grad()
def greedy_decode(model, src, bos_id, eos_id, max_len, src_key_padding_mask=None):
    B = src.shape[0]
    memory = model.encode(src)  # wrong: padding visible
    ys = torch.full((B, 1), bos_id, dtype=torch.long, device=src.device)
    finished = torch.zeros(B, dtype=torch.bool, device=src.device)
    while ys.shape[1] < max_len and not bool(finished.all()):
        T = ys.shape[1]
        causal = torch.ones(T, T, dtype=torch.bool, device=src.device).triu(1)
        logits = model.decode(ys, memory, tgt_mask=causal)  # wrong: padding visible
        next_token = logits[:, -1].argmax(dim=-1).masked_fill(finished, eos_id)
        ys = torch.cat([ys, next_token[:, None]], dim=1)
        finished |= next_token == eos_id
    return ys
