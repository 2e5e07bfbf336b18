"""The loop stops when every row's LAST token is eos_id: `while not (ys[:, -1] == eos_id).all()`
looks at the bos column before the first step, so with bos_id == eos_id (one special token for
both, as some vocabularies have) it returns just the bos column without decoding anything.

Fix: a row is finished once it has PRODUCED eos_id: keep a `finished` flag that only generated
tokens (columns 1 ...) can set."""

import torch

from solutions.transformer.encoder_decoder import *  # noqa: F401,F403 (the rest is correct)


@torch.no_grad()
def greedy_decode(model, src, bos_id, eos_id, max_len, src_key_padding_mask=None):
    B = src.shape[0]
    memory = model.encode(src, src_key_padding_mask=src_key_padding_mask)
    ys = torch.full((B, 1), bos_id, dtype=torch.long, device=src.device)
    while ys.shape[1] < max_len:
        finished = ys[:, -1] == eos_id  # wrong at column 0: that is the bos, not a produced token
        if bool(finished.all()):
            break
        T = ys.shape[1]
        causal = torch.ones(T, T, dtype=torch.bool, device=src.device).triu(1)
        logits = model.decode(ys, memory, tgt_mask=causal,
                              memory_key_padding_mask=src_key_padding_mask)
        next_token = logits[:, -1].argmax(dim=-1).masked_fill(finished, eos_id)
        ys = torch.cat([ys, next_token[:, None]], dim=1)
    return ys
