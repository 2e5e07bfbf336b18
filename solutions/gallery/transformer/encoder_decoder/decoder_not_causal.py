"""Decoder self-attention not causal during greedy decoding: model.decode(ys, memory) without a
tgt_mask lets every prefix position attend to the positions after it. The last position sees
everything either way, but with two or more decoder layers the earlier positions' states,
which the last position reads in the next layer, now depend on the future: the logits are not
the ones the model was trained to produce (training always masks the future), and the argmax
drifts. Fix: pass tgt_mask=torch.ones(T, T, dtype=torch.bool).triu(1) (True = hidden) at every
step."""

import torch

from solutions.transformer.encoder_decoder import *  # noqa: F401,F403 (the rest is correct)


@torch.no_grad()
def greedy_decode(model, src, bos_id, eos_id, max_len, src_key_padding_mask=None):
    B = src.shape[0]
    memory = model.encode(src, src_key_padding_mask=src_key_padding_mask)
    ys = torch.full((B, 1), bos_id, dtype=torch.long, device=src.device)
    finished = torch.zeros(B, dtype=torch.bool, device=src.device)
    while ys.shape[1] < max_len and not bool(finished.all()):
        logits = model.decode(ys, memory, memory_key_padding_mask=src_key_padding_mask)  # wrong: no tgt_mask
        next_token = logits[:, -1].argmax(dim=-1).masked_fill(finished, eos_id)
        ys = torch.cat([ys, next_token[:, None]], dim=1)
        finished |= next_token == eos_id
    return ys
